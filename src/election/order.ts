// MetalLB's Layer 2 order: candidates sorted by sha256(nodeName + "#" + ip), bytewise; the first wins.
// The same on every speaker, stable for an IP as long as its candidates are, and spread across nodes.
// node:crypto is used for the hash only (a pure function of its input).
// eslint-disable-next-line no-restricted-imports -- sha256 hashing only (MetalLB's order), pure
import { createHash } from 'node:crypto';

function key(node: string, ip: string): Buffer {
  return createHash('sha256').update(`${node}#${ip}`, 'utf8').digest();
}

/** `nodes` ordered for `ip` (the Service's first IP, in canonical text form as Go's net.IP prints it). */
export function orderCandidates(nodes: Iterable<string>, ip: string): string[] {
  const keyed = [...new Set(nodes)].map((node) => ({ node, k: key(node, ip) }));
  keyed.sort((a, b) => Buffer.compare(a.k, b.k) || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  return keyed.map((x) => x.node);
}
