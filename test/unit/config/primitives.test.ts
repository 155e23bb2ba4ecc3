import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAddressEntry, shortestCoveringPrefix } from '../../../src/config/address-range.ts';
import { formatCommunity, parseCommunity } from '../../../src/config/community.ts';
import { parseGoDuration } from '../../../src/config/duration.ts';
import { closest, levenshtein } from '../../../src/config/suggest.ts';
import { formatIp } from '../../../src/net/ip.ts';

describe('parseGoDuration (Go time.ParseDuration)', () => {
  it.each<[string, number]>([
    ['0', 0],
    ['90s', 90],
    ['1m30s', 90],
    ['1.5h', 5400],
    ['.5s', 0.5],
    ['300ms', 0.3],
    ['2h45m', 9900],
    ['-3s', -3],
    ['1500us', 0.0015],
    ['10µs', 0.00001],
  ])('%s = %ss', (text, seconds) => {
    expect(parseGoDuration(text)).toBeCloseTo(seconds, 9);
  });

  it.each([
    ['', 'is not a duration'],
    ['90', 'has no unit'],
    ['s', 'is not a duration'],
    ['1d', 'unknown unit "d"'],
    ['1.5.2s', 'missing unit'],
    ['ten seconds', 'is not a duration'],
    ['1constructor', 'unknown unit "constructor"'], // a name of Object.prototype is not a unit
    ['2toString', 'unknown unit "toString"'],
  ])('%j is rejected (%s)', (text, message) => {
    const r = parseGoDuration(text);
    expect(typeof r).toBe('string');
    expect(r).toContain(message);
  });
});

describe('communities', () => {
  it.each([
    ['64500:100', { kind: 'standard', value: 64500 * 65536 + 100 }],
    ['0:0', { kind: 'standard', value: 0 }],
    ['65535:65535', { kind: 'standard', value: 0xffffffff }],
    ['no-export', { kind: 'standard', value: 0xffffff01 }],
    ['no-advertise', { kind: 'standard', value: 0xffffff02 }],
    ['no-export-subconfed', { kind: 'standard', value: 0xffffff03 }],
    ['no-peer', { kind: 'standard', value: 0xffffff04 }],
    ['blackhole', { kind: 'standard', value: 0xffff029a }],
    ['large:4294967295:0:1', { kind: 'large', globalAdmin: 4294967295, localData1: 0, localData2: 1 }],
  ])('%s', (text, value) => expect(parseCommunity(text)).toEqual(value));

  it.each([
    '1',
    '1:2:3',
    '-1:2',
    '1:65536',
    'a:b',
    'large:1:2',
    'large:1:2:x',
    'large:1:2:3:4',
    '',
    'valueOf',
    'constructor',
  ])('%j is rejected', (text) => {
    expect(typeof parseCommunity(text)).toBe('string');
  });

  it('standard and large communities round-trip through their text (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), (a, b) => {
        const c = parseCommunity(`${a}:${b}`);
        expect(typeof c).toBe('object');
        expect(formatCommunity(c as Exclude<typeof c, string>)).toBe(`${a}:${b}`);
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 3, maxLength: 3 }), (n) => {
        const text = `large:${n.join(':')}`;
        const c = parseCommunity(text);
        expect(formatCommunity(c as Exclude<typeof c, string>)).toBe(text);
      }),
    );
  });
});

describe('address entries', () => {
  it.each([
    ['192.0.2.0/24', 24],
    ['192.0.2.0 - 192.0.2.255', 24],
    ['192.0.2.1-192.0.2.1', 32],
    ['192.0.2.8-192.0.2.23', 29],
    ['0.0.0.0/0', 0],
    ['2001:db8::/64', 64],
    ['2001:db8::1-2001:db8::ffff', 113],
  ])('%s has shortest covering prefix /%d', (text, prefix) => {
    const r = parseAddressEntry(text);
    if (typeof r === 'string') throw new Error(r);
    expect(r.shortestPrefix).toBe(prefix);
  });

  /** Brute force: the greedy CIDR split, one block at a time, on small IPv4 ranges. */
  function bruteShortest(first: number, last: number): number {
    let shortest = 32;
    let cur = first;
    while (cur <= last) {
      let size = 0;
      while (size < 32 && cur % 2 ** (size + 1) === 0 && cur + 2 ** (size + 1) - 1 <= last) size++;
      shortest = Math.min(shortest, 32 - size);
      cur += 2 ** size;
    }
    return shortest;
  }

  it('shortestCoveringPrefix agrees with a brute-force split (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 5000 }), (a, b) => {
        const [first, last] = a <= b ? [a, b] : [b, a];
        expect(shortestCoveringPrefix('ipv4', BigInt(first), BigInt(last))).toBe(bruteShortest(first, last));
      }),
    );
  });

  it('a CIDR is its own shortest prefix (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), (addr, len) => {
        const a = [24, 16, 8, 0].map((s) => (addr >>> s) & 255).join('.');
        const r = parseAddressEntry(`${a}/${len}`);
        if (typeof r === 'string') throw new Error(r);
        expect(r.shortestPrefix).toBe(len);
        expect(shortestCoveringPrefix('ipv4', r.range.first, r.range.last)).toBe(len);
      }),
    );
  });
});

describe('IPv6 CIDR pools and the Subnet-Router anycast address (RFC 4291 §2.6.1)', () => {
  const range = (text: string) => {
    const r = parseAddressEntry(text);
    if (typeof r === 'string') throw new Error(r);
    return [formatIp(r.range.family, r.range.first), formatIp(r.range.family, r.range.last)];
  };
  it.each([
    ['2001:db8::/64', '2001:db8::1', '2001:db8::ffff:ffff:ffff:ffff'],
    ['2001:db8:100::/120', '2001:db8:100::1', '2001:db8:100::ff'],
    ['2001:db8::/126', '2001:db8::1', '2001:db8::3'],
    // RFC 6164: a /127 has no Subnet-Router anycast; a /128 is the one address asked for.
    ['2001:db8::/127', '2001:db8::', '2001:db8::1'],
    ['2001:db8::/128', '2001:db8::', '2001:db8::'],
    // An explicit range that lists it may hand it out; IPv4 CIDRs keep their first address.
    ['2001:db8::-2001:db8::ff', '2001:db8::', '2001:db8::ff'],
    ['192.0.2.0/24', '192.0.2.0', '192.0.2.255'],
  ])('%s holds %s..%s', (text, first, last) => {
    expect(range(text)).toEqual([first, last]);
  });
});

describe('suggestions', () => {
  it.each([
    ['auto-asign', 'auto-assign'],
    ['autoAssign', 'auto-assign'],
    ['sepc', 'spec'],
    ['peer-adress', 'peer-address'],
  ])('%s → %s', (name, expected) => {
    expect(closest(name, ['auto-assign', 'spec', 'peer-address', 'addresses'])).toBe(expected);
  });
  it('no suggestion when nothing is close', () => expect(closest('c', ['a', 'b'])).toBeUndefined());
  it('transposition costs 1', () => expect(levenshtein('fats', 'fast')).toBe(1));
});
