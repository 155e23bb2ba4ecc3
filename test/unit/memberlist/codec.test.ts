// Every membership message passes the generic round-trip; malformed input gives a DecodeError with a
// stable code, never an exception of another kind, and never a partial value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectRoundTrip } from '../../helpers/codec-roundtrip.ts';
import { DecodeError } from '../../../src/wire/index.ts';
import type { Message, Packet, SimpleMessage } from '../../../src/memberlist/codec/index.ts';
import {
  ackCodec,
  aliveCodec,
  deadCodec,
  ferroWireFormat,
  indirectPingCodec,
  messageCodec,
  nackCodec,
  packetCodec,
  pingCodec,
  pushPullCodec,
  suspectCodec,
} from '../../../src/memberlist/codec/index.ts';

const v4 = { ip: '192.0.2.7', port: 7946 };
const v6 = { ip: '2001:db8::7', port: 65535 };
const meta = new Uint8Array([1, 2, 3]);

const samples: SimpleMessage[] = [
  { type: 'ping', seq: 0xfffffffe, target: 'node-b', source: 'node-a', sourceAddr: v4 },
  { type: 'ping', seq: 1, target: '', source: 'ü-node', sourceAddr: v6 },
  { type: 'indirect-ping', seq: 9, target: 'b', targetAddr: v6, source: 'a', sourceAddr: v4, nack: true },
  { type: 'ack', seq: 42 },
  { type: 'nack', seq: 43 },
  { type: 'suspect', incarnation: 7, node: 'b', from: 'a' },
  { type: 'alive', incarnation: 3, node: 'b', addr: v4, meta, protocolMin: 1, protocolMax: 1 },
  { type: 'dead', incarnation: 3, node: 'b', from: 'b', left: true },
  {
    type: 'push-pull',
    join: true,
    members: [
      { name: 'a', addr: v4, incarnation: 1, state: 'alive', meta: new Uint8Array(0), protocolMin: 1, protocolMax: 1 },
      { name: 'b', addr: v6, incarnation: 9, state: 'dead', meta, protocolMin: 1, protocolMax: 2 },
    ],
  },
];

describe('memberlist codec', () => {
  it('every message type round-trips alone, inside a message, and inside a versioned packet', () => {
    const bodies = {
      ping: pingCodec,
      'indirect-ping': indirectPingCodec,
      ack: ackCodec,
      nack: nackCodec,
      suspect: suspectCodec,
      alive: aliveCodec,
      dead: deadCodec,
      'push-pull': pushPullCodec,
    };
    for (const m of samples) {
      expectRoundTrip(bodies[m.type] as never, m as never, undefined as never);
      expectRoundTrip(messageCodec, m as Message, { version: 1 });
      expectRoundTrip(packetCodec, { version: 1, message: m }, undefined);
    }
    const compound: Packet = { version: 1, message: { type: 'compound', parts: samples } };
    expectRoundTrip(packetCodec, compound, undefined);
  });

  it('property: random alive/suspect/dead messages round-trip', () => {
    const name = fc.string({ minLength: 1, maxLength: 40 });
    const inc = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(
      fc.property(name, name, inc, fc.boolean(), fc.uint8Array({ maxLength: 512 }), (a, b, i, left, m) => {
        expectRoundTrip(messageCodec, { type: 'dead', incarnation: i, node: a, from: b, left }, { version: 1 });
        expectRoundTrip(messageCodec, { type: 'suspect', incarnation: i, node: a, from: b }, { version: 1 });
        expectRoundTrip(
          messageCodec,
          { type: 'alive', incarnation: i, node: a, addr: v4, meta: m, protocolMin: 1, protocolMax: 1 },
          { version: 1 },
        );
      }),
      { numRuns: 200 },
    );
  });

  const code = (buf: Uint8Array): string => {
    try {
      ferroWireFormat.decode(buf);
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      return (e as DecodeError).code;
    }
    return 'decoded';
  };

  it('malformed input: stable codes', () => {
    const ping = ferroWireFormat.encode({ version: 1, message: samples[0] as SimpleMessage });
    expect(code(new Uint8Array(0))).toBe('truncated');
    expect(code(new Uint8Array([2, 1]))).toBe('unsupported-version');
    expect(code(new Uint8Array([1, 200]))).toBe('unknown-type');
    expect(code(ping.subarray(0, ping.length - 1))).toBe('truncated');
    expect(code(new Uint8Array([...ping, 0]))).toBe('trailing-bytes');
    const badFamily = ping.slice();
    badFamily[2 + 4 + 7 + 7] = 5;
    expect(code(badFamily)).toBe('bad-address-family');
    expect(code(new Uint8Array([1, 7, 0, 0, 0, 1, 1, 0x62, 1, 0x62, 2]))).toBe('bad-flag');
    expect(code(new Uint8Array([1, 5, 0, 0, 0, 1, 2, 0xc3, 0x28, 1, 0x61]))).toBe('bad-utf8');
    expect(code(new Uint8Array([1, 5, 0, 0, 0, 1, 0, 1, 0x61]))).toBe('empty-name');
    expect(code(new Uint8Array([1, 9, 1, 0, 2, 9, 0]))).toBe('nested-compound');
    const alive = ferroWireFormat.encode({ version: 1, message: samples[6] as SimpleMessage });
    const longMeta = alive.slice();
    longMeta[2 + 4 + 2 + 7] = 0xff; // meta length high octet
    expect(code(longMeta)).toBe('meta-too-long');
    expect(code(new Uint8Array([1, 8, 0, 0xff, 0xff]))).toBe('too-many-members');
  });

  it('property: random bytes never throw anything but a DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expect(typeof code(b)).toBe('string');
        // Also with a valid version/type prefix so the body decoders see garbage.
        for (let t = 1; t <= 9; t++) expect(typeof code(new Uint8Array([1, t, ...b]))).toBe('string');
      }),
      { numRuns: 500 },
    );
  });
});
