// The IPVS scheduler of a Service: FerroLB's annotation, else kube-router's (the one per-Service scheduler
// annotation already in use), else the node default. The node default follows kube-proxy's `ipvs.scheduler`
// setting: an empty value means rr.
import type { Scheduler } from './types.ts';

export const SCHEDULER_ANNOTATION = 'ferrolb.io/ipvs-scheduler';
export const KUBE_ROUTER_SCHEDULER_ANNOTATION = 'kube-router.io/service.scheduler';

export const SCHEDULERS: readonly Scheduler[] = [
  'rr',
  'wrr',
  'lc',
  'wlc',
  'lblc',
  'lblcr',
  'dh',
  'sh',
  'sed',
  'nq',
  'mh',
];

/** Long names people also write (ipvsadm's man page spells these out). */
const ALIASES: ReadonlyMap<string, Scheduler> = new Map([
  ['round-robin', 'rr'],
  ['weighted-round-robin', 'wrr'],
  ['least-connection', 'lc'],
  ['weighted-least-connection', 'wlc'],
  ['locality-based-least-connection', 'lblc'],
  ['locality-based-least-connection-with-replication', 'lblcr'],
  ['destination-hashing', 'dh'],
  ['source-hashing', 'sh'],
  ['shortest-expected-delay', 'sed'],
  ['never-queue', 'nq'],
  ['maglev-hashing', 'mh'],
]);

/** Parses a scheduler name (case-insensitive; '' → rr as kube-proxy does), or explains why not. */
export function parseScheduler(text: string): Scheduler | { error: string } {
  const s = text.trim().toLowerCase();
  if (s === '') return 'rr';
  if ((SCHEDULERS as readonly string[]).includes(s)) return s as Scheduler;
  const alias = ALIASES.get(s);
  if (alias) return alias;
  return { error: `unknown IPVS scheduler "${text}" (expected one of ${SCHEDULERS.join(', ')})` };
}

export interface SchedulerChoice {
  scheduler: Scheduler;
  /** Set when an annotation was present but unusable (the default is used instead). */
  problem?: string;
}

export function serviceScheduler(annotations: Record<string, string>, nodeDefault: Scheduler): SchedulerChoice {
  for (const key of [SCHEDULER_ANNOTATION, KUBE_ROUTER_SCHEDULER_ANNOTATION]) {
    const v = annotations[key];
    if (v === undefined) continue;
    const s = parseScheduler(v);
    if (typeof s === 'string') return { scheduler: s };
    return { scheduler: nodeDefault, problem: `annotation ${key}: ${s.error}; using the node default ${nodeDefault}` };
  }
  return { scheduler: nodeDefault };
}
