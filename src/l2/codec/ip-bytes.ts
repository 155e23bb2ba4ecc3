// IPv4/IPv6 addresses in packets ↔ canonical text (src/net's formatIp), the form owned-IP sets are keyed by.
// Both directions are memoised (bounded): a responder sees the same few addresses over and over, and a
// lookup is cheaper than reading or writing IPv6 text.
import { formatIp, parseIp } from '../../net/ip.ts';
import { readBig, writeBig } from '../../wire/index.ts';

const MAX_CACHED = 16_384;
const toText = new Map<string, string>();
const toBytes = new Map<string, Uint8Array>();

function remember<K, V>(m: Map<K, V>, k: K, v: V): V {
  if (m.size >= MAX_CACHED) m.clear();
  m.set(k, v);
  return v;
}

function bytesKey(b: Uint8Array, o: number, n: number): string {
  let k = n === 4 ? '4' : '6';
  for (let i = 0; i < n; i++) k += String.fromCharCode(b[o + i] as number);
  return k;
}

function read(b: Uint8Array, o: number, n: 4 | 16): string {
  const k = bytesKey(b, o, n);
  const hit = toText.get(k);
  if (hit !== undefined) return hit;
  return remember(toText, k, formatIp(n === 4 ? 'ipv4' : 'ipv6', readBig(b, o, n)));
}

function bytesOf(text: string, family: 'ipv4' | 'ipv6'): Uint8Array {
  const k = family + text;
  const hit = toBytes.get(k);
  if (hit !== undefined) return hit;
  const ip = parseIp(text);
  if (ip?.family !== family) throw new RangeError(`"${text}" is not an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address`);
  const n = family === 'ipv4' ? 4 : 16;
  const b = new Uint8Array(n);
  writeBig(b, 0, n, ip.value);
  return remember(toBytes, k, b);
}

export interface Address {
  /** Canonical text (src/net's formatIp). */
  text: string;
  family: 'ipv4' | 'ipv6';
  /** 4 or 16 octets (shared: do not modify). */
  bytes: Uint8Array;
}

const addresses = new Map<string, Address | null>();

/**
 * Parses address text once (memoised): canonical text, family and octets, or undefined when it is not
 * a plain IPv4/IPv6 address. Also primes the octet cache the encoders use.
 */
export function parseAddress(text: string): Address | undefined {
  const hit = addresses.get(text);
  if (hit !== undefined) return hit ?? undefined;
  const ip = parseIp(text);
  if (!ip) {
    remember(addresses, text, null);
    return undefined;
  }
  const n = ip.family === 'ipv4' ? 4 : 16;
  const bytes = new Uint8Array(n);
  writeBig(bytes, 0, n, ip.value);
  const canonical = formatIp(ip.family, ip.value);
  const a: Address = { text: canonical, family: ip.family, bytes };
  remember(addresses, text, a);
  remember(addresses, canonical, a);
  remember(toBytes, ip.family + canonical, bytes);
  remember(toText, bytesKey(bytes, 0, n), canonical);
  return a;
}

export function readIpv4(b: Uint8Array, o: number): string {
  return read(b, o, 4);
}

export function readIpv6(b: Uint8Array, o: number): string {
  return read(b, o, 16);
}

export function writeIpv4(b: Uint8Array, o: number, text: string): void {
  b.set(bytesOf(text, 'ipv4'), o);
}

export function writeIpv6(b: Uint8Array, o: number, text: string): void {
  b.set(bytesOf(text, 'ipv6'), o);
}

/** The 16 octets of an IPv6 address (shared: do not modify). */
export function ipv6Bytes(text: string): Uint8Array {
  return bytesOf(text, 'ipv6');
}
