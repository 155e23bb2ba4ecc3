// Addresses as IPVS carries them (union nf_inet_addr: 16 octets, IPv4 in the first 4), written straight
// from their text: the plan's addresses are canonical, and a full parse per request (to a bigint and back
// to bytes) costs more than the rest of the request together. Anything the fast paths do not take goes through src/net's parser.
import { parseIp } from '../../net/ip.ts';
import { ipv6Groups } from '../../net/ipv6-text.ts';
import { writeBig } from '../../wire/index.ts';
import { AF_INET, AF_INET6 } from './constants.ts';

function ipv4(text: string, buf: Uint8Array, off: number): boolean {
  let part = 0;
  let digits = 0;
  let i = 0;
  for (let k = 0; k <= text.length; k++) {
    const c = k < text.length ? text.charCodeAt(k) : 46; // '.' ends the last part
    if (c === 46) {
      if (digits === 0 || part > 255 || i > 3) return false;
      buf[off + i++] = part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
    } else return false;
  }
  return i === 4;
}

function ipv6(text: string, buf: Uint8Array, off: number): boolean {
  const g = ipv6Groups(text);
  if (!g) return false;
  for (let k = 0; k < 8; k++) {
    buf[off + 2 * k] = g[k]! >>> 8;
    buf[off + 2 * k + 1] = g[k]! & 0xff;
  }
  return true;
}

/** Writes `text` as a 16-octet nf_inet_addr of family `af` at `off`; RangeError when it is not one. */
export function writeInetAddr(text: string, af: number, buf: Uint8Array, off: number, what: string): void {
  buf.fill(0, off, off + 16);
  if (af === AF_INET ? ipv4(text, buf, off) : af === AF_INET6 && ipv6(text, buf, off)) return;
  // Other spellings (IPv4-embedded IPv6...) through the full parser, which also judges what is invalid.
  const ip = parseIp(text);
  const want = af === AF_INET6 ? 'ipv6' : af === AF_INET ? 'ipv4' : undefined;
  if (!ip || ip.family !== want) throw new RangeError(`${what}: "${text}" is not an address of family ${af}`);
  writeBig(buf, off, want === 'ipv4' ? 4 : 16, ip.value);
}
