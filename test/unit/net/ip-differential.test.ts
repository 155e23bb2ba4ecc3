// src/net's address text against two independent readers and writers: Node's net.isIP (the validity of
// any text, zones aside) and the WHATWG URL serializer (RFC 5952 text of an IPv6 host, as Go and MetalLB
// print it). Random texts over the characters an address is made of, and random addresses in every
// spelling RFC 4291 allows.
import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIp, formatIp, parseIp } from '../../../src/net/ip.ts';

const whatwg = (v6: string): string => new URL(`http://[${v6}]/`).hostname.slice(1, -1);
const group = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 0xffff }));
const groups = fc.array(group, { minLength: 8, maxLength: 8 });
const value = (g: number[]): bigint => g.reduce((v, x) => (v << 16n) | BigInt(x), 0n);

describe('address text, differential', () => {
  it('accepts exactly what net.isIP accepts (no zones)', () => {
    const text = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.'), maxLength: 45 });
    // Near-addresses: tokens that are almost groups and almost octets, joined as addresses are.
    const octet = fc.stringMatching(/^[0-9]{1,4}$/);
    const quad = fc.array(octet, { minLength: 3, maxLength: 5 }).map((o) => o.join('.'));
    const token = fc.oneof(fc.stringMatching(/^[0-9a-fA-F]{0,5}$/), quad);
    const near = fc.oneof(
      quad,
      fc.array(token, { minLength: 1, maxLength: 10 }).map((t) => t.join(':')),
    );
    for (const arb of [text, near])
      fc.assert(
        fc.property(arb, (t) => {
          expect(parseIp(t) !== undefined, t).toBe(isIP(t) !== 0);
        }),
        { numRuns: 20_000 },
      );
    for (const t of ['::ffff:192.0.2.1', '1:2:3:4:5:6:1.2.3.4', '::1.2.3.4', '::ffff:01.2.3.4', '1.2.3.4::', '1::2::3'])
      expect(parseIp(t) !== undefined, t).toBe(isIP(t) !== 0);
  });

  it('reads every spelling of an address to its value and writes the WHATWG (RFC 5952) text', () => {
    fc.assert(
      fc.property(groups, fc.boolean(), (g, upper) => {
        const full = g.map((x) => x.toString(16).padStart(4, '0')).join(':');
        const canonical = whatwg(full);
        const spellings = [
          full,
          upper ? full.toUpperCase() : g.map((x) => x.toString(16)).join(':'),
          canonical,
          `${g
            .slice(0, 6)
            .map((x) => x.toString(16))
            .join(':')}:${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`,
        ];
        for (const s of spellings) {
          expect(parseIp(s), s).toEqual({ family: 'ipv6', value: value(g) });
          expect(canonicalIp(s), s).toBe(canonical);
        }
        expect(formatIp('ipv6', value(g))).toBe(canonical);
      }),
      { numRuns: 5_000 },
    );
  });

  it('IPv4: value and text round-trip, as URL reads the dotted quad', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
        const text = formatIp('ipv4', BigInt(v));
        expect(new URL(`http://${text}/`).hostname).toBe(text);
        expect(parseIp(text)).toEqual({ family: 'ipv4', value: BigInt(v) });
      }),
      { numRuns: 5_000 },
    );
  });
});
