// Writes what the controller decided about a Service in ONE request: a PUT of the status subresource
// carrying status.loadBalancer.ingress and the pool annotations (the API server's Service status
// strategy resets spec from the stored object but keeps metadata, which is how MetalLB writes its
// annotation too; so the controller needs `update services/status` only, never `update/patch services`,
// and cannot touch any Service's spec — no externalIPs, no selector).
//
// Fencing (only the leader writes, and a deposed leader's write can never be applied):
// - nothing is sent unless `fence.canWrite()` (leading, renew deadline not passed);
// - the PUT carries the resourceVersion of the object as read (list/watch after acquiring the Lease):
//   a 409 Conflict is returned as 'conflict', never re-read and retried here — the watch brings the
//   newer version and the key is reconciled again, with the leadership checks done afresh;
// - every write stamps `ferrolb.io/leader-term: <term>/<identity>` (term = the Lease's leaseTransitions
//   when acquired), and a Service stamped with a newer term than ours is never written ('superseded'):
//   we have been replaced. A new leader that took the Lease over from a holder that did not release it
//   first writes every Service it manages once (`fence`), which moves their resourceVersion past any
//   version the old leader can have read before it lost the Lease.
import type { V1Service } from '@kubernetes/client-node';
import { httpStatus } from './informer.ts';
import type { KubeRest } from './rest.ts';

export const LEADER_TERM_ANNOTATION = 'ferrolb.io/leader-term';

/**
 * 'fenced': not sent, this replica may not write now (not leading, renew deadline passed, stopping);
 * 'superseded': not sent, the Service carries a newer leader's term (another replica leads now).
 */
export type WriteResult = 'written' | 'gone' | 'conflict' | 'fenced' | 'superseded';

export interface StatusChange {
  /** New status.loadBalancer.ingress IPs (hostname-only entries of others are kept); undefined: unchanged. */
  ingressIps?: string[];
  /** Annotation changes (null removes); undefined: none. */
  annotations?: Record<string, string | null>;
}

export interface WriteFence {
  /** True while this replica may send a write (leader within its renew deadline; always without election). */
  canWrite(): boolean;
  /** Our leader term and identity, stamped on every write; undefined when leader election is off. */
  leader(): { term: number; identity: string } | undefined;
}

export const NO_FENCE: WriteFence = { canWrite: () => true, leader: () => undefined };

export interface ServiceWriter {
  /** Writes the change; `object` is the stored Service after a 'written'. */
  write(svc: V1Service, change: StatusChange): Promise<{ result: WriteResult; object?: V1Service }>;
}

export function ingressIps(svc: V1Service): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : []));
}

/** The term in a Service's leader-term annotation, if any. */
export function leaderTermOf(svc: V1Service): number | undefined {
  const v = svc.metadata?.annotations?.[LEADER_TERM_ANNOTATION];
  if (v === undefined) return undefined;
  const m = /^(\d+)\//.exec(v);
  return m ? Number(m[1]) : undefined;
}

/** The PUT body: the object as read, with the change applied and our term stamped. */
export function statusBody(
  svc: V1Service,
  change: StatusChange,
  leader: { term: number; identity: string } | undefined,
): V1Service {
  const annotations: Record<string, string> = { ...svc.metadata?.annotations };
  for (const [k, v] of Object.entries(change.annotations ?? {})) {
    if (v === null) delete annotations[k];
    else annotations[k] = v;
  }
  if (leader !== undefined) annotations[LEADER_TERM_ANNOTATION] = `${leader.term}/${leader.identity}`;
  const metadata = { ...svc.metadata, annotations };
  delete metadata.managedFields; // omitted: the server keeps its own
  let status = svc.status;
  if (change.ingressIps !== undefined) {
    const others = (svc.status?.loadBalancer?.ingress ?? []).filter((i) => !i.ip);
    status = {
      ...svc.status,
      loadBalancer: { ...svc.status?.loadBalancer, ingress: [...change.ingressIps.map((ip) => ({ ip })), ...others] },
    };
  }
  return { apiVersion: 'v1', kind: 'Service', metadata, spec: svc.spec, status };
}

export class ApiServiceWriter implements ServiceWriter {
  readonly #rest: Pick<KubeRest, 'request'>;
  readonly #fence: WriteFence;

  constructor(rest: Pick<KubeRest, 'request'>, fence: WriteFence) {
    this.#rest = rest;
    this.#fence = fence;
  }

  async write(svc: V1Service, change: StatusChange): Promise<{ result: WriteResult; object?: V1Service }> {
    const leader = this.#fence.leader();
    const stamped = leaderTermOf(svc);
    if (leader !== undefined && stamped !== undefined && stamped > leader.term) return { result: 'superseded' };
    if (!this.#fence.canWrite()) return { result: 'fenced' };
    const name = svc.metadata?.name ?? '';
    const namespace = svc.metadata?.namespace ?? '';
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}/status`;
    try {
      const object = await this.#rest.request<V1Service>('PUT', path, { body: statusBody(svc, change, leader) });
      return { result: 'written', object };
    } catch (err) {
      const status = httpStatus(err);
      if (status === 404) return { result: 'gone' };
      // A newer version exists (or the UID differs: deleted and recreated); the watch brings it.
      if (status === 409) return { result: 'conflict' };
      throw err;
    }
  }
}
