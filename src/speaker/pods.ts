// What the speaker reads from its own DaemonSet's Pods and from Secrets (pure): join addresses for
// membership, the nodes whose speaker is Ready (membership without gossip), BGP passwords and the
// memberlist key.
import type { Peer } from '../config/index.ts';

export interface PodLike {
  metadata?: { name?: string; namespace?: string; uid?: string; deletionTimestamp?: unknown };
  spec?: { nodeName?: string };
  status?: { phase?: string; podIP?: string; hostIP?: string; conditions?: { type?: string; status?: string }[] };
}

export interface SecretLike {
  metadata?: { name?: string; namespace?: string };
  type?: string;
  data?: Record<string, string>;
}

const ready = (p: PodLike): boolean =>
  p.status?.phase === 'Running' &&
  !p.metadata?.deletionTimestamp &&
  (p.status.conditions ?? []).some((c) => c?.type === 'Ready' && c.status === 'True');

/** Addresses (ip:port) of the other speakers that run (Ready or not: a starting one can be joined). */
export function joinAddresses(pods: readonly PodLike[], myNode: string, port: number): string[] {
  const out = new Set<string>();
  for (const p of pods) {
    if (p.spec?.nodeName === myNode || p.status?.phase !== 'Running' || p.metadata?.deletionTimestamp) continue;
    const ip = p.status?.podIP ?? p.status?.hostIP;
    if (typeof ip !== 'string' || ip === '') continue;
    out.add(ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  }
  return [...out].sort();
}

/**
 * Nodes whose speaker Pod is Ready (MetalLB's view of "alive" when memberlist is off). This node counts
 * as alive unless its own Pod is known and not Ready (then every speaker agrees it is out).
 */
export function nodesWithReadySpeaker(pods: readonly PodLike[], myNode: string): Set<string> {
  const out = new Set<string>();
  let mine = false;
  for (const p of pods) {
    if (p.spec?.nodeName === myNode) mine = true;
    if (p.spec?.nodeName && ready(p)) out.add(p.spec.nodeName);
  }
  if (!mine) out.add(myNode);
  return out;
}

const decode = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'));

/** The value under `key` of Secret `name`, decoded; undefined when absent. */
export function secretValue(secrets: readonly SecretLike[], name: string, key: string): Uint8Array | undefined {
  const s = secrets.find((x) => x.metadata?.name === name);
  const v = s?.data?.[key];
  return typeof v === 'string' ? decode(v) : undefined;
}

/**
 * A peer's password from its passwordSecret (MetalLB: a kubernetes.io/basic-auth Secret in the speaker's
 * namespace, key "password"). Returns the password or why there is none.
 */
export function peerPassword(
  secrets: readonly SecretLike[],
  peer: Peer,
  namespace: string,
): { password?: string; problem?: string } {
  const ref = peer.passwordSecret;
  if (!ref) return {};
  if (ref.namespace !== undefined && ref.namespace !== '' && ref.namespace !== namespace) {
    return {
      problem: `peer ${peer.name}: passwordSecret ${ref.namespace}/${ref.name} is outside the speaker's namespace ${namespace}`,
    };
  }
  const s = secrets.find((x) => x.metadata?.name === ref.name);
  if (!s) return { problem: `peer ${peer.name}: passwordSecret ${namespace}/${ref.name} not found` };
  if (s.type !== undefined && s.type !== 'kubernetes.io/basic-auth') {
    return {
      problem: `peer ${peer.name}: passwordSecret ${namespace}/${ref.name} has type ${s.type}, not kubernetes.io/basic-auth`,
    };
  }
  const v = s.data?.password;
  if (typeof v !== 'string')
    return { problem: `peer ${peer.name}: passwordSecret ${namespace}/${ref.name} has no "password" key` };
  return { password: Buffer.from(v, 'base64').toString('utf8') };
}
