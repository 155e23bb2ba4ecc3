import { describe, expect, it } from 'vitest';
import { canonicalIp, formatIp, parseCidr, parseIp } from '../../../src/net/ip.ts';

describe('parseIp', () => {
  it.each([
    ['192.0.2.1', 'ipv4', 0xc0000201n],
    [' 198.51.100.255 ', 'ipv4', 0xc63364ffn],
    ['2001:db8::1', 'ipv6', 0x20010db8000000000000000000000001n],
    ['2001:DB8:0:0::1', 'ipv6', 0x20010db8000000000000000000000001n],
    ['::', 'ipv6', 0n],
  ])('%s', (text, family, value) => {
    expect(parseIp(text)).toEqual({ family, value });
  });

  it.each(['', '192.0.2', '192.0.2.256', '192.0.2.1/32', '2001:db8::1%eth0', '2001:db8:::1', 'host', '0x7f.0.0.1'])(
    'rejects %j',
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );
});

describe('formatIp / canonicalIp', () => {
  it('round-trips and canonicalises', () => {
    expect(formatIp('ipv4', 0xcb007101n)).toBe('203.0.113.1');
    expect(canonicalIp('2001:0DB8:0000::0001')).toBe('2001:db8::1');
    expect(canonicalIp('nope')).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it('clears host bits as Go net.ParseCIDR does', () => {
    expect(parseCidr('192.0.2.5/24')).toEqual({
      family: 'ipv4',
      first: 0xc0000200n,
      last: 0xc00002ffn,
      prefixLength: 24,
    });
  });
  it('parses IPv6', () => {
    const c = parseCidr('2001:db8::/126');
    expect(c).toMatchObject({ family: 'ipv6', prefixLength: 126 });
    if (typeof c === 'string') throw new Error(c);
    expect(c.last - c.first).toBe(3n);
  });
  it.each([
    ['192.0.2.0', /missing "\/prefix"/],
    ['192.0.2.0/33', /prefix length must be 0\.\.32/],
    ['2001:db8::/129', /prefix length must be 0\.\.128/],
    ['nope/24', /"nope" is not an IP address/],
    ['192.0.2.0/-1', /prefix length/],
  ])('rejects %s', (text, message) => {
    expect(parseCidr(text)).toMatch(message);
  });
});
