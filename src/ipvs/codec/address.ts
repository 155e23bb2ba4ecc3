// Addresses as IPVS carries them (union nf_inet_addr: 16 octets, IPv4 in the first 4), written straight
// from their text: the plan's addresses are canonical, and a full parse per request (ip-address) costs more
// than the rest of the request together. Anything the fast paths do not take goes through src/net's parser.
import { parseIp } from '../../net/ip.ts';
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

function hexGroup(g: string): number {
  if (g.length === 0 || g.length > 4) return -1;
  let v = 0;
  for (let k = 0; k < g.length; k++) {
    const c = g.charCodeAt(k);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

function ipv6(text: string, buf: Uint8Array, off: number): boolean {
  const dbl = text.indexOf('::');
  if (dbl >= 0 && text.indexOf('::', dbl + 1) >= 0) return false;
  const head = dbl < 0 ? text : text.slice(0, dbl);
  const tail = dbl < 0 ? '' : text.slice(dbl + 2);
  const hg = head === '' ? [] : head.split(':');
  const tg = tail === '' ? [] : tail.split(':');
  if (dbl < 0 ? hg.length !== 8 : hg.length + tg.length > 7) return false;
  const put = (g: string, at: number): boolean => {
    const v = hexGroup(g);
    if (v < 0) return false;
    buf[off + at] = v >>> 8;
    buf[off + at + 1] = v & 0xff;
    return true;
  };
  for (let k = 0; k < hg.length; k++) if (!put(hg[k]!, 2 * k)) return false;
  for (let k = 0; k < tg.length; k++) if (!put(tg[k]!, 16 - 2 * (tg.length - k))) return false;
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
