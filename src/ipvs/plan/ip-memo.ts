// Address parsing costs microseconds per address in a cold process, and the desired state is
// rebuilt from every endpoint on every sync: the same few thousand texts are parsed again and again. These
// memoise the results (pure: same text, same answer), with a bound so a churning cluster cannot grow them
// without limit.
import { canonicalIp, parseCidr, type Cidr } from '../../net/ip.ts';
import { canonicalIpv6Fast } from '../../net/ipv6-text.ts';

const LIMIT = 200_000;
const ips = new Map<string, string | undefined>();
const cidrs = new Map<string, Cidr | string>();

function remember<V>(m: Map<string, V>, k: string, v: V): V {
  if (m.size >= LIMIT) m.clear();
  m.set(k, v);
  return v;
}

/**
 * A dotted quad already in canonical form (decimal octets 0-255 without leading zeros): what the API
 * nearly always holds. Such a text is its own canonical form, so it needs no parse (a first sync of a
 * fresh process parses thousands, and ip-address is slow before V8 has warmed up to it).
 */
const CANONICAL_V4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function canonicalIpMemo(text: string): string | undefined {
  if (CANONICAL_V4.test(text)) return text;
  // The same for IPv6 (the form is checked by formatting the parsed groups: RFC 5952, as src/net gives it).
  if (text.includes(':') && canonicalIpv6Fast(text) !== undefined) return text;
  return ips.has(text) ? ips.get(text) : remember(ips, text, canonicalIp(text));
}

export function parseCidrMemo(text: string): Cidr | string {
  return cidrs.get(text) ?? remember(cidrs, text, parseCidr(text));
}
