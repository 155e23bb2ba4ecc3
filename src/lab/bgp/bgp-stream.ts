// Cutting a BGP byte stream into messages by their header (RFC 4271 §4.1) and counting UPDATE
// contents. Deliberately tiny and independent of src/bgp/codec: the lab measures and records what
// real daemons put on the wire, including what our own codec might get wrong.

export const MESSAGE_TYPES: Record<number, string> = {
  1: 'open',
  2: 'update',
  3: 'notification',
  4: 'keepalive',
  5: 'route-refresh',
};

export interface RawMessage {
  type: number;
  bytes: Uint8Array;
  /** Offset of the message's first byte in the stream. */
  offset: number;
}

/** Splits a stream into whole messages; stops at a bad marker or at a truncated tail. */
export function splitMessages(stream: Uint8Array): RawMessage[] {
  const out: RawMessage[] = [];
  let off = 0;
  while (off + 19 <= stream.length) {
    for (let i = 0; i < 16; i++) if (stream[off + i] !== 0xff) return out;
    const len = (stream[off + 16]! << 8) | stream[off + 17]!;
    if (len < 19 || len > 65535 || off + len > stream.length) return out;
    out.push({ type: stream[off + 18]!, bytes: stream.subarray(off, off + len), offset: off });
    off += len;
  }
  return out;
}

function countPrefixes(b: Uint8Array, from: number, to: number): number {
  let n = 0;
  let off = from;
  while (off < to) {
    const bits = b[off]!;
    off += 1 + Math.ceil(bits / 8);
    n++;
  }
  return n;
}

export interface UpdateCounts {
  withdrawn: number;
  announced: number;
  /** End-of-RIB markers (RFC 4724): empty UPDATEs / MP_UNREACH with no NLRI. */
  endOfRib: boolean;
}

/** Counts announced and withdrawn prefixes in one UPDATE (IPv4 NLRI and MP_REACH/MP_UNREACH). */
export function countUpdate(m: Uint8Array): UpdateCounts {
  const end = (m[16]! << 8) | m[17]!;
  let off = 19;
  const wlen = (m[off]! << 8) | m[off + 1]!;
  off += 2;
  let withdrawn = countPrefixes(m, off, off + wlen);
  off += wlen;
  const alen = (m[off]! << 8) | m[off + 1]!;
  off += 2;
  const attrEnd = off + alen;
  let announced = countPrefixes(m, attrEnd, end);
  let mpEmptyUnreach = false;
  while (off < attrEnd) {
    const flags = m[off]!;
    const type = m[off + 1]!;
    const ext = (flags & 0x10) !== 0;
    const len = ext ? (m[off + 2]! << 8) | m[off + 3]! : m[off + 2]!;
    const v = off + (ext ? 4 : 3);
    if (type === 14) {
      const nhLen = m[v + 3]!;
      const nlriStart = v + 4 + nhLen + 1;
      announced += countPrefixes(m, nlriStart, v + len);
    } else if (type === 15) {
      const n = countPrefixes(m, v + 3, v + len);
      withdrawn += n;
      if (n === 0 && alen === len + (ext ? 4 : 3)) mpEmptyUnreach = true;
    }
    off = v + len;
  }
  return { withdrawn, announced, endOfRib: (withdrawn === 0 && announced === 0 && alen === 0) || mpEmptyUnreach };
}

export interface StreamStats {
  messages: Record<string, number>;
  updates: number;
  announced: number;
  withdrawn: number;
  /** Announced NLRI per UPDATE that announces anything. */
  nlriPerUpdate: number;
}

export function streamStats(stream: Uint8Array): StreamStats {
  const messages: Record<string, number> = {};
  let updates = 0;
  let announcing = 0;
  let announced = 0;
  let withdrawn = 0;
  for (const m of splitMessages(stream)) {
    const name = MESSAGE_TYPES[m.type] ?? `type-${m.type}`;
    messages[name] = (messages[name] ?? 0) + 1;
    if (m.type !== 2) continue;
    updates++;
    const c = countUpdate(m.bytes);
    announced += c.announced;
    withdrawn += c.withdrawn;
    if (c.announced > 0) announcing++;
  }
  return { messages, updates, announced, withdrawn, nlriPerUpdate: announcing === 0 ? 0 : announced / announcing };
}
