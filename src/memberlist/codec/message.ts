// One message (type octet + body) and one packet (version octet + message), with the dispatch table per
// version. Version 1 is the only one today; a new version adds its table to VERSIONS, is decoded beside
// the old one, and is written only once every member advertises it (see Alive.protocolMax).
import type { Codec } from '../../wire/index.ts';
import { DecodeError, need, readU16, writeU16 } from '../../wire/index.ts';
import { ackCodec, indirectPingCodec, nackCodec, pingCodec } from './probe.ts';
import { aliveCodec, deadCodec, pushPullCodec, suspectCodec } from './state.ts';
import type { Message, Packet, SimpleMessage } from './types.ts';
import { PROTOCOL_MAX, PROTOCOL_MIN } from './types.ts';

type Table = Record<SimpleMessage['type'], { code: number; codec: Codec<never> }>;

const V1: Table = {
  ping: { code: 1, codec: pingCodec as Codec<never> },
  'indirect-ping': { code: 2, codec: indirectPingCodec as Codec<never> },
  ack: { code: 3, codec: ackCodec as Codec<never> },
  nack: { code: 4, codec: nackCodec as Codec<never> },
  suspect: { code: 5, codec: suspectCodec as Codec<never> },
  alive: { code: 6, codec: aliveCodec as Codec<never> },
  dead: { code: 7, codec: deadCodec as Codec<never> },
  'push-pull': { code: 8, codec: pushPullCodec as Codec<never> },
};
const COMPOUND_CODE = 9;

const VERSIONS: Record<number, Table> = { 1: V1 };
const BY_CODE: Record<number, Map<number, { type: SimpleMessage['type']; codec: Codec<never> }>> = {};
for (const [v, table] of Object.entries(VERSIONS)) {
  BY_CODE[Number(v)] = new Map(
    Object.entries(table).map(([type, e]) => [e.code, { type: type as SimpleMessage['type'], codec: e.codec }]),
  );
}

/** Context of a message codec: the packet's version. */
export interface VersionCtx {
  version: number;
}

function table(version: number, offset: number): Table {
  const t = VERSIONS[version];
  if (!t)
    throw new DecodeError(
      'unsupported-version',
      `membership packet version ${version}; this node reads ${PROTOCOL_MIN}..${PROTOCOL_MAX}`,
      offset,
    );
  return t;
}

function simpleLength(m: SimpleMessage, t: Table): number {
  return 1 + t[m.type].codec.length(m as never, undefined as never);
}

/** At most this many messages in one compound (one octet of count). */
export const MAX_COMPOUND_PARTS = 255;

export const messageCodec: Codec<Message, VersionCtx> = {
  decode(buf, offset, ctx) {
    const t = table(ctx.version, offset);
    need(buf, offset, 1, 'message type');
    const code = buf[offset] as number;
    if (code === COMPOUND_CODE) {
      need(buf, offset + 1, 1, 'compound count');
      const count = buf[offset + 1] as number;
      let o = offset + 2;
      const parts: SimpleMessage[] = [];
      for (let i = 0; i < count; i++) {
        need(buf, o, 2, `compound part ${i} length`);
        const len = readU16(buf, o);
        o += 2;
        need(buf, o, len, `compound part ${i}`);
        const part = buf.subarray(0, o + len);
        if (part[o] === COMPOUND_CODE)
          throw new DecodeError('nested-compound', `compound part ${i} is itself a compound`, o);
        const m = messageCodec.decode(part, o, ctx);
        if (m.bytesRead !== len)
          throw new DecodeError(
            'bad-part-length',
            `compound part ${i}: length says ${len}, message is ${m.bytesRead}`,
            o,
          );
        parts.push(m.value as SimpleMessage);
        o += len;
      }
      return { value: { type: 'compound', parts }, bytesRead: o - offset };
    }
    const entry = BY_CODE[ctx.version]?.get(code);
    if (!entry || !t[entry.type])
      throw new DecodeError('unknown-type', `message type ${code} unknown in version ${ctx.version}`, offset);
    const body = entry.codec.decode(buf, offset + 1, undefined as never) as { value: SimpleMessage; bytesRead: number };
    return { value: body.value, bytesRead: 1 + body.bytesRead };
  },
  write(m, buf, offset, ctx) {
    const t = table(ctx.version, 0);
    if (m.type === 'compound') {
      if (m.parts.length > MAX_COMPOUND_PARTS)
        throw new RangeError(`compound: ${m.parts.length} parts, at most ${MAX_COMPOUND_PARTS}`);
      buf[offset] = COMPOUND_CODE;
      buf[offset + 1] = m.parts.length;
      let o = offset + 2;
      for (const p of m.parts) {
        const n = messageCodec.write(p, buf, o + 2, ctx);
        if (n > 0xffff) throw new RangeError(`compound part of ${n} octets`);
        writeU16(buf, o, n);
        o += 2 + n;
      }
      return o - offset;
    }
    const e = t[m.type];
    buf[offset] = e.code;
    return 1 + e.codec.write(m as never, buf, offset + 1, undefined as never);
  },
  length(m, ctx) {
    const t = table(ctx.version, 0);
    if (m.type === 'compound') return m.parts.reduce((n, p) => n + 2 + simpleLength(p, t), 2);
    return simpleLength(m, t);
  },
};

export const packetCodec: Codec<Packet> = {
  decode(buf, offset) {
    need(buf, offset, 1, 'packet version');
    const version = buf[offset] as number;
    const m = messageCodec.decode(buf, offset + 1, { version });
    return { value: { version, message: m.value }, bytesRead: 1 + m.bytesRead };
  },
  write(p, buf, offset) {
    buf[offset] = p.version;
    return 1 + messageCodec.write(p.message, buf, offset + 1, { version: p.version });
  },
  length: (p) => 1 + messageCodec.length(p.message, { version: p.version }),
};

/** Overhead a compound adds per part and in total (for packing broadcasts under a datagram size). */
export const COMPOUND_OVERHEAD = 2;
export const COMPOUND_PART_OVERHEAD = 2;

/** The seam for another wire format (e.g. a hashicorp/memberlist-compatible one): whole datagrams in/out. */
export interface WireFormat {
  encode(p: Packet): Uint8Array;
  /** Throws DecodeError; the whole buffer must be one packet. */
  decode(buf: Uint8Array): Packet;
}

export const ferroWireFormat: WireFormat = {
  encode(p) {
    const buf = new Uint8Array(packetCodec.length(p, undefined));
    packetCodec.write(p, buf, 0, undefined);
    return buf;
  },
  decode(buf) {
    const r = packetCodec.decode(buf, 0, undefined);
    if (r.bytesRead !== buf.length)
      throw new DecodeError(
        'trailing-bytes',
        `packet: ${buf.length - r.bytesRead} octets after the message`,
        r.bytesRead,
      );
    return r.value;
  },
};

/** Encoded size of one simple message inside a compound (its part header included). */
export function partLength(m: SimpleMessage, version: number): number {
  return COMPOUND_PART_OVERHEAD + messageCodec.length(m, { version });
}
