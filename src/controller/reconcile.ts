// The reconcile decision for one Service, as a pure function: given what the Service shows now (status
// ingress, pool annotations), what the allocator held before and what it answered now, say what the
// status and annotations must become and which Events to record. No client, no clock, no I/O: the
// controller executes the answer (status subresource write, metadata patch, Event creation).
import type { AllocationError, Assignment } from '../allocator/types.ts';
import { excerpt } from '../config/excerpt.ts';

export const POOL_ANNOTATIONS = [
  'metallb.io/ip-allocated-from-pool',
  'metallb.universe.tf/ip-allocated-from-pool',
] as const;

/** What the controller reads from the Service object it has in its cache. */
export interface ServiceState {
  /** status.loadBalancer.ingress[].ip in order (hostname-only entries left out). */
  ingressIps: string[];
  /** metadata.annotations (only the pool annotations matter here). */
  annotations: Record<string, string>;
}

/** What happened for this Service in this pass. */
export type Outcome =
  /** The allocator holds this assignment for the Service (new, unchanged or restored). */
  | { kind: 'assigned'; assignment: Assignment }
  /** The allocator refused: the Service gets no IP, or keeps the one it had (`kept`). */
  | { kind: 'failed'; error: AllocationError; kept?: Assignment }
  /** The Service cannot be turned into a request (bad annotation, invalid requested IP...); `kept` as above. */
  | { kind: 'invalid'; message: string; kept?: Assignment }
  /** Not ours (not a LoadBalancer, other loadBalancerClass): drop what we wrote, if anything. */
  | { kind: 'skip'; reason: string };

export interface ReconcileInput {
  service: ServiceState;
  /** The allocator's assignment for this key before this pass (undefined: it held none). */
  previous: Assignment | undefined;
  outcome: Outcome;
  /**
   * IPs in the current status that this controller wrote and may take away: the previous assignment's
   * IPs, or after a restart (no previous assignment) the status IPs lying in our pools while the Service
   * still carries our pool annotation. Only used for `skip` — a Service that is ours gets the whole
   * ingress list replaced.
   */
  ownedIps: string[];
  /** The AllocationFailed message last recorded for this Service (to avoid repeating the same Event). */
  lastFailure: string | undefined;
}

export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: 'IPAllocated' | 'AllocationFailed' | 'IPReleased';
  message: string;
}

export interface ReconcileDecision {
  /** The ingress IPs to write, or undefined when the status is already right. */
  ingressIps: string[] | undefined;
  /** Annotation changes as a merge patch (null removes), or undefined when none is needed. */
  annotations: Record<string, string | null> | undefined;
  events: EventSpec[];
  /** The failure message to remember for the next pass (undefined clears it). */
  failure: string | undefined;
  /** True when the allocator's answer differs from what it held before (a new or moved allocation). */
  allocated: boolean;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function annotationPatch(
  current: Record<string, string>,
  pool: string | undefined,
): Record<string, string | null> | undefined {
  const patch: Record<string, string | null> = {};
  for (const key of POOL_ANNOTATIONS) {
    const have = current[key];
    if (pool === undefined) {
      if (have !== undefined) patch[key] = null;
    } else if (have !== pool) {
      patch[key] = pool;
    }
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

export function reconcileService(input: ReconcileInput): ReconcileDecision {
  const { service, previous, outcome } = input;
  switch (outcome.kind) {
    case 'assigned': {
      const { assignment } = outcome;
      const allocated =
        previous === undefined || previous.pool !== assignment.pool || !sameList(previous.ips, assignment.ips);
      const restored = previous === undefined && sameList(service.ingressIps, assignment.ips);
      const events: EventSpec[] = [];
      if (allocated && !restored) {
        events.push({
          type: 'Normal',
          reason: 'IPAllocated',
          message: `Assigned IP [${assignment.ips.map((ip) => `"${ip}"`).join(' ')}] from pool ${assignment.pool}`,
        });
      }
      return {
        ingressIps: sameList(service.ingressIps, assignment.ips) ? undefined : [...assignment.ips],
        annotations: annotationPatch(service.annotations, assignment.pool),
        events,
        failure: undefined,
        allocated: allocated && !restored,
      };
    }
    case 'failed':
    case 'invalid': {
      // Bad input never takes a working IP away: a Service whose edit cannot be met keeps what it held.
      const { kept } = outcome;
      // Messages can quote user input (a pool name from an annotation): bounded for Events and logs.
      const reason = excerpt(outcome.kind === 'failed' ? outcome.error.message : outcome.message, 600);
      const message = kept
        ? `${reason}; keeping IP [${kept.ips.map((ip) => `"${ip}"`).join(' ')}] from pool ${kept.pool}`
        : reason;
      const events: EventSpec[] =
        message === input.lastFailure ? [] : [{ type: 'Warning', reason: 'AllocationFailed', message }];
      let ingressIps: string[] | undefined;
      if (kept) ingressIps = sameList(service.ingressIps, kept.ips) ? undefined : [...kept.ips];
      else ingressIps = service.ingressIps.length > 0 ? [] : undefined;
      return {
        ingressIps,
        annotations: annotationPatch(service.annotations, kept?.pool),
        events,
        failure: message,
        allocated: false,
      };
    }
    case 'skip': {
      const owned = new Set(input.ownedIps);
      const keep = service.ingressIps.filter((ip) => !owned.has(ip));
      const events: EventSpec[] = [];
      if (previous !== undefined) {
        events.push({
          type: 'Normal',
          reason: 'IPReleased',
          message: `Released IP [${previous.ips.map((ip) => `"${ip}"`).join(' ')}]: ${outcome.reason}`,
        });
      }
      const wasOurs = previous !== undefined || input.ownedIps.length > 0;
      return {
        ingressIps: keep.length === service.ingressIps.length ? undefined : keep,
        // Another controller (another class) may write the same annotation: only drop it when it was ours.
        annotations: wasOurs ? annotationPatch(service.annotations, undefined) : undefined,
        events,
        failure: undefined,
        allocated: false,
      };
    }
  }
}
