// Watches every Service status of a namespace as the API server stores it (a watch sees every version,
// not samples) and records, per Service, each change of its IPs: an IP replaced by another is a flap;
// two Services showing one IP at the same time is a duplicate.
import type { V1Service } from '@kubernetes/client-node';
import { Informer, type ListResult } from '../../../src/k8s/informer.ts';
import { loadKubeTarget } from '../../../src/k8s/kubeconfig.ts';
import { KubeRest } from '../../../src/k8s/rest.ts';
import { ingressOf } from './fixture.ts';

export interface StatusTracker {
  /** "<name>: <old> -> <new>" for every Service whose non-empty IPs were replaced. */
  flaps: string[];
  /** "<ip>: <a> <b>" each time an IP was shown by two Services at once. */
  duplicates: string[];
  /** Current IPs by Service name ('' = none). */
  current(): Map<string, string>;
  stop(): Promise<void>;
}

export function trackStatuses(kubeconfigPath: string, namespace: string): StatusTracker {
  const rest = new KubeRest(loadKubeTarget(kubeconfigPath), { now: () => performance.now() });
  const path = `/api/v1/namespaces/${namespace}/services`;
  const inf = new Informer<V1Service>({
    name: `tracker-${namespace}`,
    path,
    list: () => rest.request<ListResult<V1Service>>('GET', path),
    watch: rest.watch,
    backoff: { baseMs: 100, maxMs: 1000 },
    delay: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => performance.now(),
    log: { info: () => {}, warn: () => {} },
  });
  const ips = new Map<string, string>();
  const t: StatusTracker = {
    flaps: [],
    duplicates: [],
    current: () => new Map(ips),
    stop: async () => {
      await inf.stop();
      rest.close();
    },
  };
  const see = (svc: V1Service): void => {
    const name = svc.metadata?.name ?? '';
    const now = ingressOf(svc).join(',');
    const before = ips.get(name) ?? '';
    if (before !== '' && now !== before) t.flaps.push(`${name}: ${before} -> ${now || '(none)'}`);
    ips.set(name, now);
    if (now === '') return;
    for (const ip of now.split(',')) {
      const holders = [...ips].filter(([, v]) => v.split(',').includes(ip)).map(([n]) => n);
      if (holders.length > 1) t.duplicates.push(`${ip}: ${holders.join(' ')}`);
    }
  };
  inf.on({ onAdd: see, onUpdate: see, onDelete: (svc) => ips.delete(svc.metadata?.name ?? '') });
  inf.start();
  return t;
}
