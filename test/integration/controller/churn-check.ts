// Invariants of the churn tests, checked from what the API server holds: every LoadBalancer Service has
// an IP, no IP is held by two Services, and no surviving Service's IP changed since it was first seen.
import type { CoreV1Api } from '@kubernetes/client-node';
import { waitFor } from '../../../src/lab/index.ts';
import { ingressOf, type Env } from './fixture.ts';

export interface ChurnState {
  /** Service name → the IPs first seen in its status. */
  firstSeen: Map<string, string>;
  ipChanges: string[];
}

export async function snapshot(core: CoreV1Api, namespace: string): Promise<Map<string, string>> {
  const list = await core.listNamespacedService({ namespace });
  const out = new Map<string, string>();
  for (const svc of list.items) {
    if (svc.spec?.type !== 'LoadBalancer') continue;
    out.set(svc.metadata!.name!, ingressOf(svc).join(','));
  }
  return out;
}

/** undefined when converged (every Service has an IP); else what is missing. */
export function pending(snap: Map<string, string>): string | undefined {
  const missing = [...snap].filter(([, ip]) => ip === '').map(([n]) => n);
  return missing.length > 0
    ? `${missing.length} Service(s) without IP, e.g. ${missing.slice(0, 5).join(', ')}`
    : undefined;
}

export function duplicates(snap: Map<string, string>): string[] {
  const byIp = new Map<string, string[]>();
  for (const [name, ips] of snap)
    for (const ip of ips.split(',').filter(Boolean)) byIp.set(ip, [...(byIp.get(ip) ?? []), name]);
  return [...byIp].filter(([, names]) => names.length > 1).map(([ip, names]) => `${ip}: ${names.join(' ')}`);
}

/** Records first-seen IPs and any change of a Service that still exists. */
export function track(state: ChurnState, snap: Map<string, string>): void {
  for (const [name, ips] of snap) {
    if (ips === '') continue;
    const before = state.firstSeen.get(name);
    if (before === undefined) state.firstSeen.set(name, ips);
    else if (before !== ips) state.ipChanges.push(`${name}: ${before} -> ${ips}`);
  }
  for (const name of [...state.firstSeen.keys()]) if (!snap.has(name)) state.firstSeen.delete(name);
}

/** Waits until every LoadBalancer Service of `namespace` has an IP, records the snapshot in `state`, returns it. */
export async function convergeChurn(
  env: Env,
  namespace: string,
  state: ChurnState,
  what: string,
  timeoutMs: number,
): Promise<Map<string, string>> {
  const snap = await waitFor(
    async () => {
      const s = await snapshot(env.core, namespace);
      return pending(s) === undefined ? s : undefined;
    },
    {
      what,
      timeoutMs,
      intervalMs: 250,
      diagnostics: async () => `${pending(await snapshot(env.core, namespace))}\n${env.diagnostics()}`,
    },
  );
  track(state, snap);
  return snap;
}
