// The IPv6 text paths agree with the WHATWG URL serializer (RFC 5952) and src/net: canonical texts are
// recognised as such, other spellings are not (they go to src/net), and the groups read are the address's.
import { describe, expect, it } from 'vitest';
import { canonicalIp, parseIp } from '../../../src/net/ip.ts';
import { canonicalIpv6Fast, formatIpv6Groups, ipv6Groups } from '../../../src/net/ipv6-text.ts';

describe('IPv6 text fast paths', () => {
  it('format = URL serializer = canonicalIp for addresses with zero runs of every length and position (seeded)', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 5000; k++) {
      // Mostly zeros, so runs, ties and single zero groups all occur.
      const g = Array.from({ length: 8 }, () => (rnd(3) === 0 ? rnd(0x10000) : rnd(4) === 0 ? rnd(16) : 0));
      const text = formatIpv6Groups(g);
      expect(new URL(`http://[${text}]/`).hostname, text).toBe(`[${text}]`);
      expect(canonicalIp(text), text).toBe(text);
      expect(canonicalIpv6Fast(text)).toBe(text);
      const ip = parseIp(text)!;
      const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn));
      expect(ipv6Groups(text)).toEqual(groups);
    }
  });

  it('other spellings are not taken as canonical; what it cannot read is left to src/net', () => {
    for (const t of ['2001:DB8::1', '2001:db8:0:0:0:0:0:1', '2001:0db8::1', '::0:1', '1:0::1', '0::'])
      expect(canonicalIpv6Fast(t), t).toBeUndefined();
    for (const t of ['::ffff:192.0.2.1', 'fe80::1%eth0', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', ':1::', 'x::'])
      expect(ipv6Groups(t), t).toBeUndefined();
    expect(ipv6Groups('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
