// Who announces a Service's IPs: one owner in Layer 2 mode, every eligible node in BGP mode. Pure: the
// speaker feeds it membership, Nodes, EndpointSlices and the configuration's advertisements.
import type { LabelSelector } from '../config/index.ts';
import { nodesWithServingEndpoint, endpointCanServe, type EndpointFacts } from './endpoints.ts';
import { nodeSkipReason, type NodeRules, type NodeSkipReason } from './nodes.ts';
import { orderCandidates } from './order.ts';

export interface ServiceFacts {
  /** The Service's LoadBalancer IPs in canonical text form, in status order (the first keys the hash). */
  ips: readonly string[];
  externalTrafficPolicy: 'Cluster' | 'Local';
  endpoints: readonly EndpointFacts[];
}

export type ElectionReason = 'no-ips' | 'no-serving-endpoint' | 'no-advertisement' | 'no-candidate';

export interface Election {
  /** Nodes that announce: at most one in Layer 2 mode; every eligible node in BGP mode. */
  announcers: string[];
  /** Every eligible node, in the order used (Layer 2: hash order, the owner first; BGP: by name). */
  candidates: string[];
  /** Why nobody announces (announcers empty). */
  reason?: ElectionReason;
  /** Why each node that is known but not a candidate was left out. */
  skipped: Map<string, NodeSkipReason | 'no-local-endpoint'>;
}

function eligible(
  service: ServiceFacts,
  rules: NodeRules,
  selectorSets: readonly (readonly LabelSelector[])[],
): Omit<Election, 'announcers'> {
  const skipped = new Map<string, NodeSkipReason | 'no-local-endpoint'>();
  if (service.ips.length === 0) return { candidates: [], reason: 'no-ips', skipped };
  if (!service.endpoints.some(endpointCanServe)) return { candidates: [], reason: 'no-serving-endpoint', skipped };
  if (selectorSets.length === 0) return { candidates: [], reason: 'no-advertisement', skipped };
  const local = service.externalTrafficPolicy === 'Local' ? nodesWithServingEndpoint(service.endpoints) : undefined;
  const candidates: string[] = [];
  for (const name of new Set([...rules.alive, ...rules.nodes.keys()])) {
    const why = nodeSkipReason(name, rules, selectorSets);
    if (why) skipped.set(name, why);
    else if (local && !local.has(name)) skipped.set(name, 'no-local-endpoint');
    else candidates.push(name);
  }
  return candidates.length > 0 ? { candidates, skipped } : { candidates, reason: 'no-candidate', skipped };
}

/**
 * Layer 2: the owner of the Service's IPs. `selectorSets` holds the node selectors of each
 * L2Advertisement covering the Service's pool (an empty inner list selects every node). Services that
 * share an IP share its owner, since the hash is keyed by the first IP only.
 */
export function electLayer2(
  service: ServiceFacts,
  rules: NodeRules,
  selectorSets: readonly (readonly LabelSelector[])[],
): Election {
  const e = eligible(service, rules, selectorSets);
  const first = service.ips[0];
  if (e.reason || first === undefined) return { ...e, announcers: [] };
  const candidates = orderCandidates(e.candidates, first);
  return { ...e, candidates, announcers: candidates.slice(0, 1) };
}

/** BGP: every eligible node announces (routers get ECMP across them). */
export function electBgp(
  service: ServiceFacts,
  rules: NodeRules,
  selectorSets: readonly (readonly LabelSelector[])[],
): Election {
  const e = eligible(service, rules, selectorSets);
  const candidates = [...e.candidates].sort();
  return { ...e, candidates, announcers: e.reason ? [] : candidates };
}
