// Probe messages (bodies, after the type octet): ping, indirect ping, ack, nack.
import type { Codec } from '../../wire/index.ts';
import { need, readU32, writeU32 } from '../../wire/index.ts';
import { addressLength, nameLength, readAddress, readBool, readName, writeAddress, writeName } from './primitives.ts';
import type { Ack, IndirectPing, Nack, Ping } from './types.ts';

export const pingCodec: Codec<Ping> = {
  decode(buf, offset) {
    let o = offset;
    need(buf, o, 4, 'ping seq');
    const seq = readU32(buf, o);
    o += 4;
    const target = readName(buf, o, 'ping target', true);
    o += target.bytesRead;
    const source = readName(buf, o, 'ping source');
    o += source.bytesRead;
    const addr = readAddress(buf, o, 'ping source address');
    o += addr.bytesRead;
    return {
      value: { type: 'ping', seq, target: target.value, source: source.value, sourceAddr: addr.value },
      bytesRead: o - offset,
    };
  },
  write(v, buf, offset) {
    let o = offset;
    writeU32(buf, o, v.seq);
    o += 4;
    o += writeName(v.target, buf, o, 'ping target');
    o += writeName(v.source, buf, o, 'ping source');
    o += writeAddress(v.sourceAddr, buf, o);
    return o - offset;
  },
  length: (v) => 4 + nameLength(v.target) + nameLength(v.source) + addressLength(v.sourceAddr),
};

export const indirectPingCodec: Codec<IndirectPing> = {
  decode(buf, offset) {
    let o = offset;
    need(buf, o, 4, 'indirect-ping seq');
    const seq = readU32(buf, o);
    o += 4;
    const target = readName(buf, o, 'indirect-ping target');
    o += target.bytesRead;
    const targetAddr = readAddress(buf, o, 'indirect-ping target address');
    o += targetAddr.bytesRead;
    const source = readName(buf, o, 'indirect-ping source');
    o += source.bytesRead;
    const sourceAddr = readAddress(buf, o, 'indirect-ping source address');
    o += sourceAddr.bytesRead;
    const nack = readBool(buf, o, 'indirect-ping nack flag');
    o += 1;
    return {
      value: {
        type: 'indirect-ping',
        seq,
        target: target.value,
        targetAddr: targetAddr.value,
        source: source.value,
        sourceAddr: sourceAddr.value,
        nack,
      },
      bytesRead: o - offset,
    };
  },
  write(v, buf, offset) {
    let o = offset;
    writeU32(buf, o, v.seq);
    o += 4;
    o += writeName(v.target, buf, o, 'indirect-ping target');
    o += writeAddress(v.targetAddr, buf, o);
    o += writeName(v.source, buf, o, 'indirect-ping source');
    o += writeAddress(v.sourceAddr, buf, o);
    buf[o++] = v.nack ? 1 : 0;
    return o - offset;
  },
  length: (v) =>
    4 + nameLength(v.target) + addressLength(v.targetAddr) + nameLength(v.source) + addressLength(v.sourceAddr) + 1,
};

function seqOnly<T extends Ack | Nack>(type: T['type']): Codec<T> {
  return {
    decode(buf, offset) {
      need(buf, offset, 4, `${type} seq`);
      return { value: { type, seq: readU32(buf, offset) } as T, bytesRead: 4 };
    },
    write(v, buf, offset) {
      writeU32(buf, offset, v.seq);
      return 4;
    },
    length: () => 4,
  };
}

export const ackCodec: Codec<Ack> = seqOnly<Ack>('ack');
export const nackCodec: Codec<Nack> = seqOnly<Nack>('nack');
