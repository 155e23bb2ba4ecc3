import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressText } from '../../../src/allocator/address-text.ts';
import { formatIp } from '../../../src/net/ip.ts';

// Groups biased to zero so runs of zero groups (the `::` cases) come up often.
const groupArb = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
const v6Arb = fc
  .array(groupArb, { minLength: 8, maxLength: 8 })
  .map((gs) => gs.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n));

describe('addressText', () => {
  it('equals formatIp for IPv4', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        expect(addressText('ipv4', BigInt(n))).toBe(formatIp('ipv4', BigInt(n)));
      }),
      {
        numRuns: 500,
      },
    );
  });
  it('equals formatIp for IPv6 (RFC 5952 compression)', () => {
    fc.assert(
      fc.property(v6Arb, (v) => {
        expect(addressText('ipv6', v)).toBe(formatIp('ipv6', v));
      }),
      { numRuns: 1000 },
    );
  });
  it('gives known forms', () => {
    expect(addressText('ipv6', 0x20010db8000000000000000000000001n)).toBe('2001:db8::1');
    expect(addressText('ipv6', 0x20010db8000100000000000100000000n)).toBe('2001:db8:1::1:0:0');
    expect(addressText('ipv4', 0xc0000201n)).toBe('192.0.2.1');
  });
});
