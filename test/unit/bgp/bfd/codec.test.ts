import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { controlCodec, decodeControl, encodeControl, writeControl } from '../../../../src/bgp/bfd/codec.ts';
import type { ControlDecodeCode } from '../../../../src/bgp/bfd/codec.ts';
import { DecodeError } from '../../../../src/wire/index.ts';
import { expectRoundTrip } from '../../../helpers/codec-roundtrip.ts';
import { STATES } from '../../../../src/bgp/bfd/types.ts';
import type { ControlPacket } from '../../../../src/bgp/bfd/types.ts';
import { controlPacket } from './packets.ts';

const base: ControlPacket = controlPacket({
  state: 'Down',
  myDiscriminator: 0x11223344,
  yourDiscriminator: 0,
  desiredMinTxInterval: 1_000_000,
  requiredMinRxInterval: 300_000,
});

// A packet as FRR's bfdd sends it (Down, diag 0, mult 3, my disc 1, 300 ms / 300 ms / echo 50 ms).
const FRR_DOWN = '20400318' + '00000001' + '00000000' + '000493e0' + '000493e0' + '0000c350';

describe('BFD control packet codec', () => {
  it('decodes a known packet byte for byte', () => {
    const bytes = Buffer.from(FRR_DOWN, 'hex');
    const r = decodeControl(bytes, 0);
    expect(r).toEqual({
      bytesRead: 24,
      value: {
        ...base,
        myDiscriminator: 1,
        desiredMinTxInterval: 300_000,
        requiredMinRxInterval: 300_000,
        requiredMinEchoRxInterval: 50_000,
      },
    });
    expect(Buffer.from(encodeControl(r.value)).toString('hex')).toBe(FRR_DOWN);
  });

  const arbPacket = fc.record({
    version: fc.constant(1),
    diag: fc.integer({ min: 0, max: 31 }),
    state: fc.constantFrom(...STATES),
    poll: fc.boolean(),
    final: fc.boolean(),
    controlPlaneIndependent: fc.boolean(),
    demand: fc.boolean(),
    multipoint: fc.constant(false),
    detectMult: fc.integer({ min: 1, max: 255 }),
    myDiscriminator: fc.integer({ min: 1, max: 0xffffffff }),
    yourDiscriminator: fc.integer({ min: 1, max: 0xffffffff }),
    desiredMinTxInterval: fc.integer({ min: 0, max: 0xffffffff }),
    requiredMinRxInterval: fc.integer({ min: 0, max: 0xffffffff }),
    requiredMinEchoRxInterval: fc.integer({ min: 0, max: 0xffffffff }),
    auth: fc.option(
      fc.record({ type: fc.integer({ min: 0, max: 255 }), data: fc.uint8Array({ minLength: 0, maxLength: 40 }) }),
      {
        nil: undefined,
      },
    ),
  });

  it('round-trips (the generic codec round trip): encode → decode → equal, length matches, write at an offset', () => {
    fc.assert(
      fc.property(arbPacket, (raw) => {
        const p: ControlPacket = raw.auth === undefined ? { ...raw, auth: undefined } : raw;
        if (p.auth === undefined) delete p.auth;
        expectRoundTrip(controlCodec, p, undefined);
      }),
      { numRuns: 300 },
    );
  });

  it('on arbitrary bytes either decodes or throws a DecodeError with a drop reason as its code', () => {
    const codes = new Set<string>([
      'truncated',
      'bad-version',
      'bad-length',
      'length-exceeds-payload',
      'zero-detect-mult',
      'multipoint',
      'zero-my-discriminator',
      'zero-your-discriminator-not-down',
    ] satisfies ControlDecodeCode[]);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), (bytes) => {
        try {
          expect(decodeControl(bytes, 0).bytesRead).toBeGreaterThanOrEqual(24);
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError);
          expect(codes.has((err as DecodeError).code)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  const valid = Buffer.from(FRR_DOWN, 'hex');
  const mutate = (f: (b: Buffer) => unknown): Buffer => {
    const b = Buffer.from(valid);
    const r = f(b);
    return Buffer.isBuffer(r) ? r : b;
  };
  const malformed: [string, Buffer, ControlDecodeCode][] = [
    ['23 bytes', valid.subarray(0, 23), 'truncated'],
    ['version 0', mutate((b) => void (b[0] = 0x00)), 'bad-version'],
    ['version 2', mutate((b) => void (b[0] = 0x40)), 'bad-version'],
    ['length 23', mutate((b) => void (b[3] = 23)), 'bad-length'],
    ['A bit with length 24', mutate((b) => void (b[1] = b[1]! | 0x04)), 'bad-length'],
    ['length beyond payload', mutate((b) => void (b[3] = 30)), 'length-exceeds-payload'],
    ['detect mult 0', mutate((b) => void (b[2] = 0)), 'zero-detect-mult'],
    ['M bit', mutate((b) => void (b[1] = b[1]! | 0x01)), 'multipoint'],
    ['my discriminator 0', mutate((b) => b.writeUInt32BE(0, 4)), 'zero-my-discriminator'],
    ['Up with your discriminator 0', mutate((b) => void (b[1] = 0xc0)), 'zero-your-discriminator-not-down'],
    ['Init with your discriminator 0', mutate((b) => void (b[1] = 0x80)), 'zero-your-discriminator-not-down'],
    [
      'auth length not matching packet length',
      mutate((b) => {
        const c = Buffer.concat([b, Buffer.from([1, 9, 1, 0x61])]);
        c[1] = c[1]! | 0x04;
        c[3] = 28;
        return c;
      }),
      'bad-length',
    ],
  ];
  for (const [name, bytes, reason] of malformed) {
    it(`drops ${name}: ${reason}`, () => {
      expect(() => decodeControl(bytes, 0)).toThrow(expect.objectContaining({ name: 'DecodeError', code: reason }));
    });
  }

  it('accepts AdminDown with your discriminator 0 and trailing bytes after Length', () => {
    expect(
      decodeControl(
        mutate((b) => void (b[1] = 0x00)),
        0,
      ).value.state,
    ).toBe('AdminDown');
    expect(decodeControl(Buffer.concat([valid, Buffer.alloc(4)]), 0)).toMatchObject({ bytesRead: 24 });
  });

  it('parses a simple password auth section', () => {
    const withAuth = Buffer.concat([valid, Buffer.from([1, 7, 5, 0x61, 0x62, 0x63, 0x64])]);
    withAuth[1] = withAuth[1]! | 0x04;
    withAuth[3] = 31;
    const r = decodeControl(withAuth, 0);
    expect(r.value.auth).toEqual({ type: 1, data: new Uint8Array([5, 0x61, 0x62, 0x63, 0x64]) });
  });

  it('refuses to encode values that do not fit', () => {
    expect(() => encodeControl({ ...base, detectMult: 256 })).toThrow(/detectMult must be an integer in 0\.\.255/);
    expect(() => encodeControl({ ...base, myDiscriminator: -1 })).toThrow(/myDiscriminator/);
    expect(() => encodeControl({ ...base, auth: { type: 1, data: new Uint8Array(240) } })).toThrow(/exceeds 255/);
    expect(() => writeControl(base, new Uint8Array(10), 0)).toThrow(/buffer too small/);
  });
});
