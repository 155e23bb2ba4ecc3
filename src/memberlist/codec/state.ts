// State messages (bodies, after the type octet): suspect, alive, dead (or left), and push-pull.
import type { Codec } from '../../wire/index.ts';
import { DecodeError, need, readU16, readU32, writeU16, writeU32 } from '../../wire/index.ts';
import {
  addressLength,
  metaLength,
  nameLength,
  readAddress,
  readBool,
  readMeta,
  readName,
  readState,
  stateCode,
  writeAddress,
  writeMeta,
  writeName,
} from './primitives.ts';
import type { Alive, Dead, PushPull, PushPullMember, Suspect } from './types.ts';

export const suspectCodec: Codec<Suspect> = {
  decode(buf, offset) {
    need(buf, offset, 4, 'suspect incarnation');
    const incarnation = readU32(buf, offset);
    const node = readName(buf, offset + 4, 'suspect node');
    const from = readName(buf, offset + 4 + node.bytesRead, 'suspect from');
    return {
      value: { type: 'suspect', incarnation, node: node.value, from: from.value },
      bytesRead: 4 + node.bytesRead + from.bytesRead,
    };
  },
  write(v, buf, offset) {
    writeU32(buf, offset, v.incarnation);
    let o = offset + 4;
    o += writeName(v.node, buf, o, 'suspect node');
    o += writeName(v.from, buf, o, 'suspect from');
    return o - offset;
  },
  length: (v) => 4 + nameLength(v.node) + nameLength(v.from),
};

export const aliveCodec: Codec<Alive> = {
  decode(buf, offset) {
    let o = offset;
    need(buf, o, 4, 'alive incarnation');
    const incarnation = readU32(buf, o);
    o += 4;
    const node = readName(buf, o, 'alive node');
    o += node.bytesRead;
    const addr = readAddress(buf, o, 'alive address');
    o += addr.bytesRead;
    const meta = readMeta(buf, o, 'alive meta');
    o += meta.bytesRead;
    need(buf, o, 2, 'alive protocol range');
    const protocolMin = buf[o] as number;
    const protocolMax = buf[o + 1] as number;
    o += 2;
    return {
      value: {
        type: 'alive',
        incarnation,
        node: node.value,
        addr: addr.value,
        meta: meta.value,
        protocolMin,
        protocolMax,
      },
      bytesRead: o - offset,
    };
  },
  write(v, buf, offset) {
    let o = offset;
    writeU32(buf, o, v.incarnation);
    o += 4;
    o += writeName(v.node, buf, o, 'alive node');
    o += writeAddress(v.addr, buf, o);
    o += writeMeta(v.meta, buf, o);
    buf[o++] = v.protocolMin;
    buf[o++] = v.protocolMax;
    return o - offset;
  },
  length: (v) => 4 + nameLength(v.node) + addressLength(v.addr) + metaLength(v.meta) + 2,
};

export const deadCodec: Codec<Dead> = {
  decode(buf, offset) {
    need(buf, offset, 4, 'dead incarnation');
    const incarnation = readU32(buf, offset);
    let o = offset + 4;
    const node = readName(buf, o, 'dead node');
    o += node.bytesRead;
    const from = readName(buf, o, 'dead from');
    o += from.bytesRead;
    const left = readBool(buf, o, 'dead left flag');
    o += 1;
    return { value: { type: 'dead', incarnation, node: node.value, from: from.value, left }, bytesRead: o - offset };
  },
  write(v, buf, offset) {
    writeU32(buf, offset, v.incarnation);
    let o = offset + 4;
    o += writeName(v.node, buf, o, 'dead node');
    o += writeName(v.from, buf, o, 'dead from');
    buf[o++] = v.left ? 1 : 0;
    return o - offset;
  },
  length: (v) => 4 + nameLength(v.node) + nameLength(v.from) + 1,
};

/** At most this many members in one push-pull (a bound on what a peer can make us allocate). */
export const MAX_PUSH_PULL_MEMBERS = 10_000;

function memberLength(m: PushPullMember): number {
  return nameLength(m.name) + addressLength(m.addr) + 4 + 1 + metaLength(m.meta) + 2;
}

export const pushPullCodec: Codec<PushPull> = {
  decode(buf, offset) {
    let o = offset;
    const join = readBool(buf, o, 'push-pull join flag');
    need(buf, o + 1, 2, 'push-pull member count');
    const count = readU16(buf, o + 1);
    o += 3;
    if (count > MAX_PUSH_PULL_MEMBERS)
      throw new DecodeError('too-many-members', `push-pull: ${count} members, at most ${MAX_PUSH_PULL_MEMBERS}`, o - 2);
    const members: PushPullMember[] = [];
    for (let i = 0; i < count; i++) {
      const name = readName(buf, o, `push-pull member ${i} name`);
      o += name.bytesRead;
      const addr = readAddress(buf, o, `push-pull member ${i} address`);
      o += addr.bytesRead;
      need(buf, o, 4, `push-pull member ${i} incarnation`);
      const incarnation = readU32(buf, o);
      o += 4;
      const state = readState(buf, o, `push-pull member ${i} state`);
      o += 1;
      const meta = readMeta(buf, o, `push-pull member ${i} meta`);
      o += meta.bytesRead;
      need(buf, o, 2, `push-pull member ${i} protocol range`);
      members.push({
        name: name.value,
        addr: addr.value,
        incarnation,
        state,
        meta: meta.value,
        protocolMin: buf[o] as number,
        protocolMax: buf[o + 1] as number,
      });
      o += 2;
    }
    return { value: { type: 'push-pull', join, members }, bytesRead: o - offset };
  },
  write(v, buf, offset) {
    if (v.members.length > MAX_PUSH_PULL_MEMBERS)
      throw new RangeError(`push-pull: ${v.members.length} members, at most ${MAX_PUSH_PULL_MEMBERS}`);
    let o = offset;
    buf[o] = v.join ? 1 : 0;
    writeU16(buf, o + 1, v.members.length);
    o += 3;
    for (const m of v.members) {
      o += writeName(m.name, buf, o, 'push-pull member name');
      o += writeAddress(m.addr, buf, o);
      writeU32(buf, o, m.incarnation);
      o += 4;
      buf[o++] = stateCode(m.state);
      o += writeMeta(m.meta, buf, o);
      buf[o++] = m.protocolMin;
      buf[o++] = m.protocolMax;
    }
    return o - offset;
  },
  length: (v) => v.members.reduce((n, m) => n + memberLength(m), 3),
};
