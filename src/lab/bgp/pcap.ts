// Reading a tcpdump capture (classic pcap, Ethernet or Linux cooked) and reassembling the TCP byte
// streams in it, so BGP messages can be counted (benchmark) or cut out one by one (seed corpus).
import { readFileSync } from 'node:fs';

export interface TcpFlow {
  src: string;
  sport: number;
  dst: string;
  dport: number;
  /** The stream's bytes in sequence order, retransmissions removed. */
  data: Uint8Array;
  /** Capture time (ms since epoch) at which the stream had reached each `end` offset, ascending. */
  marks: { end: number; tsMs: number }[];
}

/** Capture time at which the stream first held `offset` bytes. */
export function timeAt(flow: TcpFlow, offset: number): number | undefined {
  return flow.marks.find((m) => m.end >= offset)?.tsMs;
}

interface Segment {
  seq: number;
  payload: Uint8Array;
  syn: boolean;
  tsMs: number;
}

function ipText(b: Uint8Array, v6: boolean): string {
  if (!v6) return Array.from(b).join('.');
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return parts.join(':');
}

export function readPcap(path: string): TcpFlow[] {
  const buf = readFileSync(path);
  if (buf.length < 24) throw new Error(`pcap ${path}: too short (${buf.length} bytes)`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = dv.getUint32(0, true);
  let le: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) le = false;
  else throw new Error(`pcap ${path}: bad magic 0x${magic.toString(16)}`);
  const linkType = dv.getUint32(20, le);
  const nanos = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const flows = new Map<string, { meta: Omit<TcpFlow, 'data' | 'marks'>; segs: Segment[] }>();
  let off = 24;
  while (off + 16 <= buf.length) {
    const tsMs = dv.getUint32(off, le) * 1000 + dv.getUint32(off + 4, le) / (nanos ? 1e6 : 1e3);
    const incl = dv.getUint32(off + 8, le);
    const pkt = buf.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    let l3: number;
    let etherType: number;
    if (linkType === 1) {
      etherType = (pkt[12]! << 8) | pkt[13]!;
      l3 = 14;
    } else if (linkType === 113) {
      etherType = (pkt[14]! << 8) | pkt[15]!;
      l3 = 16;
    } else throw new Error(`pcap ${path}: unsupported link type ${linkType}`);
    let proto: number;
    let l4: number;
    let src: string;
    let dst: string;
    let end: number;
    if (etherType === 0x0800) {
      const ihl = (pkt[l3]! & 0x0f) * 4;
      proto = pkt[l3 + 9]!;
      end = l3 + ((pkt[l3 + 2]! << 8) | pkt[l3 + 3]!);
      src = ipText(pkt.subarray(l3 + 12, l3 + 16), false);
      dst = ipText(pkt.subarray(l3 + 16, l3 + 20), false);
      l4 = l3 + ihl;
    } else if (etherType === 0x86dd) {
      proto = pkt[l3 + 6]!;
      end = l3 + 40 + ((pkt[l3 + 4]! << 8) | pkt[l3 + 5]!);
      src = ipText(pkt.subarray(l3 + 8, l3 + 24), true);
      dst = ipText(pkt.subarray(l3 + 24, l3 + 40), true);
      l4 = l3 + 40;
    } else continue;
    if (proto !== 6) continue;
    const sport = (pkt[l4]! << 8) | pkt[l4 + 1]!;
    const dport = (pkt[l4 + 2]! << 8) | pkt[l4 + 3]!;
    const seq = ((pkt[l4 + 4]! << 24) | (pkt[l4 + 5]! << 16) | (pkt[l4 + 6]! << 8) | pkt[l4 + 7]!) >>> 0;
    const dataOff = (pkt[l4 + 12]! >> 4) * 4;
    const syn = (pkt[l4 + 13]! & 0x02) !== 0;
    const payload = pkt.subarray(l4 + dataOff, Math.min(end, pkt.length));
    const key = `${src}|${sport}|${dst}|${dport}`;
    let f = flows.get(key);
    if (!f) {
      f = { meta: { src, sport, dst, dport }, segs: [] };
      flows.set(key, f);
    }
    f.segs.push({ seq, payload: Uint8Array.from(payload), syn, tsMs });
  }
  return [...flows.values()].map(({ meta, segs }) => ({ ...meta, ...reassemble(segs) }));
}

function reassemble(segs: Segment[]): { data: Uint8Array; marks: TcpFlow['marks'] } {
  const synSeg = segs.find((s) => s.syn);
  const isn = synSeg ? (synSeg.seq + 1) >>> 0 : segs.find((s) => s.payload.length > 0)?.seq;
  if (isn === undefined) return { data: new Uint8Array(0), marks: [] };
  const parts = segs
    .filter((s) => s.payload.length > 0)
    .map((s) => ({ rel: (s.seq - isn) >>> 0, payload: s.payload, tsMs: s.tsMs }))
    .sort((a, b) => a.rel - b.rel);
  const total = parts.reduce((m, p) => Math.max(m, p.rel + p.payload.length), 0);
  const out = new Uint8Array(total);
  const marks: TcpFlow['marks'] = [];
  let filled = 0;
  for (const p of parts) {
    if (p.rel > filled) break; // a hole: stop at the contiguous prefix
    out.set(p.payload, p.rel);
    const end = p.rel + p.payload.length;
    if (end > filled) {
      filled = end;
      marks.push({ end, tsMs: p.tsMs });
    }
  }
  return { data: out.subarray(0, filled), marks };
}
