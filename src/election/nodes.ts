// Which nodes may announce at all, whatever the Service: MetalLB's node rules.
import { matchesAnySelector, type LabelSelector } from '../config/index.ts';

/** The label that takes a node out of every load balancer (Kubernetes well-known label). */
export const EXCLUDE_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

/** The parts of a Node that election reads. */
export interface NodeFacts {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** The NetworkUnavailable condition is True. */
  networkUnavailable: boolean;
}

export type NodeSkipReason =
  'not-alive' | 'unknown-node' | 'network-unavailable' | 'excluded-by-label' | 'not-selected';

export interface NodeRules {
  /** Names of the nodes membership reports alive (speakers that answer). */
  alive: ReadonlySet<string>;
  nodes: ReadonlyMap<string, NodeFacts>;
  /** MetalLB's --ignore-exclude-lb: honour the exclude label unless set. */
  ignoreExcludeLabel?: boolean;
}

/**
 * Why `name` may not announce under advertisements with `selectors` (any of them selects; none means
 * no advertisement covers the pool for this mode), or undefined when it may.
 */
export function nodeSkipReason(
  name: string,
  rules: NodeRules,
  selectorSets: readonly (readonly LabelSelector[])[],
): NodeSkipReason | undefined {
  if (!rules.alive.has(name)) return 'not-alive';
  const node = rules.nodes.get(name);
  if (!node) return 'unknown-node';
  if (node.networkUnavailable) return 'network-unavailable';
  if (!rules.ignoreExcludeLabel && EXCLUDE_LABEL in node.labels) return 'excluded-by-label';
  if (!selectorSets.some((selectors) => matchesAnySelector(selectors, node.labels))) return 'not-selected';
  return undefined;
}
