// `ip -o addr show dev IFACE` into the kernel model's addresses. Link-local addresses (the kernel's own
// fe80::/64 on an up interface) are not LB IPs and are left out.
import { canonicalIp } from '../../net/ip.ts';
import type { AddressEntry } from './types.ts';

/** `owned`: whether the interface is FerroLB's (then every address on it is FerroLB's to remove). */
export function parseIpAddr(text: string, owned: boolean): Map<string, AddressEntry> {
  const out = new Map<string, AddressEntry>();
  for (const line of text.split('\n')) {
    const m = /\s(inet6?)\s+([0-9a-fA-F.:]+)\/(\d+)(?:\s|$)/.exec(line);
    if (!m) continue;
    if (/\sscope\s+link\b/.test(line)) continue;
    const address = canonicalIp(m[2]!);
    if (!address) continue;
    out.set(address, { address, family: m[1] === 'inet6' ? 'ipv6' : 'ipv4', owned });
  }
  return out;
}
