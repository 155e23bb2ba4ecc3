// Field codecs shared by the membership messages: names (u8 length + UTF-8), meta (u16 length, bounded),
// addresses (family octet, 4 or 16 octets, u16 port), member states.
import { DecodeError, need, readBig, readU16, writeBig, writeU16 } from '../../wire/index.ts';
import { formatIp, parseIp } from '../../net/ip.ts';
import type { Address, MemberStateName } from './types.ts';
import { MAX_META_BYTES } from './types.ts';

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function nameLength(s: string): number {
  return 1 + utf8.encode(s).length;
}

export function writeName(s: string, buf: Uint8Array, o: number, what: string): number {
  const b = utf8.encode(s);
  if (b.length > 255) throw new RangeError(`${what}: name "${s.slice(0, 40)}…" is longer than 255 octets`);
  buf[o] = b.length;
  buf.set(b, o + 1);
  return 1 + b.length;
}

export function readName(
  buf: Uint8Array,
  o: number,
  what: string,
  allowEmpty = false,
): { value: string; bytesRead: number } {
  need(buf, o, 1, what);
  const n = buf[o] as number;
  need(buf, o + 1, n, what);
  if (n === 0 && !allowEmpty) throw new DecodeError('empty-name', `${what}: empty name`, o);
  let value: string;
  try {
    value = strictUtf8.decode(buf.subarray(o + 1, o + 1 + n));
  } catch {
    throw new DecodeError('bad-utf8', `${what}: name is not valid UTF-8`, o + 1);
  }
  return { value, bytesRead: 1 + n };
}

export function metaLength(m: Uint8Array): number {
  return 2 + m.length;
}

export function writeMeta(m: Uint8Array, buf: Uint8Array, o: number): number {
  if (m.length > MAX_META_BYTES) throw new RangeError(`meta: ${m.length} octets, at most ${MAX_META_BYTES}`);
  writeU16(buf, o, m.length);
  buf.set(m, o + 2);
  return 2 + m.length;
}

export function readMeta(buf: Uint8Array, o: number, what: string): { value: Uint8Array; bytesRead: number } {
  need(buf, o, 2, what);
  const n = readU16(buf, o);
  if (n > MAX_META_BYTES)
    throw new DecodeError('meta-too-long', `${what}: meta of ${n} octets, at most ${MAX_META_BYTES}`, o);
  need(buf, o + 2, n, what);
  return { value: buf.slice(o + 2, o + 2 + n), bytesRead: 2 + n };
}

export function addressLength(a: Address): number {
  return (a.ip.includes(':') ? 17 : 5) + 2;
}

// Parsing text addresses is the codec's hot spot (every probe carries one): remember recent ones.
const parsed = new Map<string, ReturnType<typeof parseIp>>();

function parseCached(text: string): ReturnType<typeof parseIp> {
  let ip = parsed.get(text);
  if (ip === undefined) {
    ip = parseIp(text);
    if (parsed.size >= 4096) parsed.clear();
    parsed.set(text, ip);
  }
  return ip;
}

export function writeAddress(a: Address, buf: Uint8Array, o: number): number {
  const ip = parseCached(a.ip);
  if (!ip) throw new RangeError(`address: "${a.ip}" is not an IP address`);
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 0xffff)
    throw new RangeError(`address: port ${a.port} out of range`);
  const len = ip.family === 'ipv4' ? 4 : 16;
  buf[o] = ip.family === 'ipv4' ? 4 : 6;
  writeBig(buf, o + 1, len, ip.value);
  writeU16(buf, o + 1 + len, a.port);
  return 3 + len;
}

export function readAddress(buf: Uint8Array, o: number, what: string): { value: Address; bytesRead: number } {
  need(buf, o, 1, what);
  const fam = buf[o];
  if (fam !== 4 && fam !== 6)
    throw new DecodeError('bad-address-family', `${what}: address family ${fam}, expected 4 or 6`, o);
  const len = fam === 4 ? 4 : 16;
  need(buf, o + 1, len + 2, what);
  // Dotted quad straight from the four octets (the canonical IPv4 text); IPv6 through src/net.
  const ip =
    fam === 4 ? `${buf[o + 1]}.${buf[o + 2]}.${buf[o + 3]}.${buf[o + 4]}` : formatIp('ipv6', readBig(buf, o + 1, len));
  return { value: { ip, port: readU16(buf, o + 1 + len) }, bytesRead: 3 + len };
}

const STATES: readonly MemberStateName[] = ['alive', 'suspect', 'dead', 'left'];

export function stateCode(s: MemberStateName): number {
  return STATES.indexOf(s);
}

export function readState(buf: Uint8Array, o: number, what: string): MemberStateName {
  need(buf, o, 1, what);
  const s = STATES[buf[o] as number];
  if (s === undefined) throw new DecodeError('bad-state', `${what}: member state ${buf[o]}, expected 0..3`, o);
  return s;
}

export function readBool(buf: Uint8Array, o: number, what: string): boolean {
  need(buf, o, 1, what);
  const v = buf[o];
  if (v !== 0 && v !== 1) throw new DecodeError('bad-flag', `${what}: flag octet ${v}, expected 0 or 1`, o);
  return v === 1;
}
