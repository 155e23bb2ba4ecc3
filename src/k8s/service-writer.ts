// Writes what the controller decided about a Service: status.loadBalancer.ingress through the status
// subresource (replace with the cached resourceVersion; on 409 Conflict read afresh and try again), and
// the pool annotations through a merge patch of metadata (guarded by the object's UID, so a Service
// deleted and recreated under the same name is never annotated by mistake).
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type V1Service } from '@kubernetes/client-node';
import { httpStatus } from './informer.ts';

export type WriteResult = 'written' | 'unchanged' | 'gone';

export interface ServiceWriter {
  writeIngress(svc: V1Service, ips: string[]): Promise<WriteResult>;
  patchAnnotations(svc: V1Service, patch: Record<string, string | null>): Promise<WriteResult>;
}

export function ingressIps(svc: V1Service): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : []));
}

const sameList = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export class ApiServiceWriter implements ServiceWriter {
  readonly #core: CoreV1Api;
  readonly #maxConflicts: number;

  constructor(core: CoreV1Api, maxConflicts = 5) {
    this.#core = core;
    this.#maxConflicts = maxConflicts;
  }

  async writeIngress(svc: V1Service, ips: string[]): Promise<WriteResult> {
    const name = svc.metadata?.name ?? '';
    const namespace = svc.metadata?.namespace ?? '';
    const uid = svc.metadata?.uid;
    let current = svc;
    for (let attempt = 0; ; attempt++) {
      // Keep hostname-only entries another party may have written; ours are the IP entries.
      const others = (current.status?.loadBalancer?.ingress ?? []).filter((i) => !i.ip);
      const body: V1Service = {
        ...current,
        status: { ...current.status, loadBalancer: { ...current.status?.loadBalancer, ingress: [...ips.map((ip) => ({ ip })), ...others] } },
      };
      try {
        await this.#core.replaceNamespacedServiceStatus({ name, namespace, body });
        return 'written';
      } catch (err) {
        const status = httpStatus(err);
        if (status === 404) return 'gone';
        if (status !== 409 || attempt >= this.#maxConflicts) throw err;
      }
      try {
        current = await this.#core.readNamespacedServiceStatus({ name, namespace });
      } catch (err) {
        if (httpStatus(err) === 404) return 'gone';
        throw err;
      }
      if (uid !== undefined && current.metadata?.uid !== uid) return 'gone';
      if (sameList(ingressIps(current), ips)) return 'unchanged';
    }
  }

  async patchAnnotations(svc: V1Service, patch: Record<string, string | null>): Promise<WriteResult> {
    const name = svc.metadata?.name ?? '';
    const namespace = svc.metadata?.namespace ?? '';
    const body = { metadata: { uid: svc.metadata?.uid, annotations: patch } };
    try {
      await this.#core.patchNamespacedService(
        { name, namespace, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      return 'written';
    } catch (err) {
      const status = httpStatus(err);
      // 409 here is the UID precondition: the Service was replaced by another of the same name.
      if (status === 404 || status === 409) return 'gone';
      throw err;
    }
  }
}
