// Round-trip fixtures: sample values of every wire type (messages, capabilities, path attributes,
// prefixes) with the codec and context to run them through. Also the fuzz test's built-in seed corpus.
import { capabilityCodec } from '../../../../src/bgp/codec/capabilities/capability.ts';
import { pathAttributeCodec } from '../../../../src/bgp/codec/attributes/attribute.ts';
import { messageCodec } from '../../../../src/bgp/codec/message.ts';
import type {
  BgpMessage,
  Capability,
  CodecContext,
  PathAttribute,
  Prefix,
  WireCodec,
} from '../../../../src/bgp/codec/model.ts';
import { ipv4PrefixCodec, ipv6PrefixCodec } from '../../../../src/bgp/codec/nlri.ts';
import { parseIp } from '../../../../src/net/ip.ts';

export const CTX2: CodecContext = { fourOctetAs: false };
export const CTX4: CodecContext = { fourOctetAs: true };

/** Address text → bigint (documentation ranges only). */
export function ip(text: string): bigint {
  const a = parseIp(text);
  if (!a) throw new Error(`fixture: bad address ${text}`);
  return a.value;
}

export function pfx(text: string): Prefix {
  const [addr, len] = text.split('/');
  const a = parseIp(addr ?? '');
  if (!a || len === undefined) throw new Error(`fixture: bad prefix ${text}`);
  return { family: a.family, prefix: a.value, length: Number(len) };
}

export interface Fixture<T> {
  name: string;
  codec: WireCodec<T>;
  value: T;
  ctx: CodecContext;
}

// ---- path attributes -------------------------------------------------------------------------------

const base: PathAttribute[] = [
  { type: 'ORIGIN', origin: 'IGP' },
  { type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [64500, 64501] }] },
  { type: 'NEXT_HOP', nextHop: ip('198.51.100.1') },
];

export const ATTRIBUTES: { name: string; value: PathAttribute; ctx: CodecContext }[] = [
  { name: 'ORIGIN IGP', value: { type: 'ORIGIN', origin: 'IGP' }, ctx: CTX4 },
  { name: 'ORIGIN EGP', value: { type: 'ORIGIN', origin: 'EGP' }, ctx: CTX4 },
  { name: 'ORIGIN INCOMPLETE', value: { type: 'ORIGIN', origin: 'INCOMPLETE' }, ctx: CTX4 },
  { name: 'AS_PATH empty (iBGP)', value: { type: 'AS_PATH', segments: [] }, ctx: CTX4 },
  {
    name: 'AS_PATH 4-octet with set and confederation',
    value: {
      type: 'AS_PATH',
      segments: [
        { type: 'AS_CONFED_SEQUENCE', asns: [65010, 65011] },
        { type: 'AS_CONFED_SET', asns: [65012] },
        { type: 'AS_SEQUENCE', asns: [64500, 4200000000, 64502] },
        { type: 'AS_SET', asns: [64510, 4200000001] },
      ],
    },
    ctx: CTX4,
  },
  {
    name: 'AS_PATH 2-octet',
    value: { type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [64500, 23456] }] },
    ctx: CTX2,
  },
  {
    name: 'AS_PATH long (extended length)',
    value: {
      type: 'AS_PATH',
      segments: [
        { type: 'AS_SEQUENCE', asns: Array.from({ length: 255 }, (_, i) => 64512 + i) },
        { type: 'AS_SEQUENCE', asns: [64500] },
      ],
    },
    ctx: CTX4,
  },
  { name: 'NEXT_HOP', value: { type: 'NEXT_HOP', nextHop: ip('192.0.2.1') }, ctx: CTX4 },
  { name: 'MULTI_EXIT_DISC', value: { type: 'MULTI_EXIT_DISC', med: 0xfffffffe }, ctx: CTX4 },
  { name: 'LOCAL_PREF', value: { type: 'LOCAL_PREF', localPref: 100 }, ctx: CTX4 },
  { name: 'ATOMIC_AGGREGATE', value: { type: 'ATOMIC_AGGREGATE' }, ctx: CTX4 },
  { name: 'AGGREGATOR 4-octet', value: { type: 'AGGREGATOR', asn: 4200000000, address: ip('203.0.113.9') }, ctx: CTX4 },
  { name: 'AGGREGATOR 2-octet', value: { type: 'AGGREGATOR', asn: 64500, address: ip('203.0.113.9') }, ctx: CTX2 },
  {
    name: 'COMMUNITIES with well-known',
    value: { type: 'COMMUNITIES', communities: [64500 * 65536 + 100, 0xffffff01, 0xffffff02, 0xffffff03, 0xffffff04] },
    ctx: CTX4,
  },
  {
    name: 'LARGE_COMMUNITIES',
    value: {
      type: 'LARGE_COMMUNITIES',
      communities: [
        { globalAdmin: 4200000000, localData1: 1, localData2: 2 },
        { globalAdmin: 64500, localData1: 0xffffffff, localData2: 0 },
      ],
    },
    ctx: CTX4,
  },
  {
    name: 'MP_REACH_NLRI IPv6 global next hop',
    value: {
      type: 'MP_REACH_NLRI',
      family: 'ipv6',
      safi: 1,
      nextHop: ip('2001:db8::1'),
      nlri: [pfx('2001:db8:1::/48'), pfx('2001:db8::5/128'), pfx('::/0')],
    },
    ctx: CTX4,
  },
  {
    name: 'MP_REACH_NLRI IPv6 global + link-local next hop',
    value: {
      type: 'MP_REACH_NLRI',
      family: 'ipv6',
      safi: 1,
      nextHop: ip('2001:db8::1'),
      linkLocalNextHop: ip('fe80::1'),
      nlri: [pfx('2001:db8:ffff::/64')],
    },
    ctx: CTX4,
  },
  {
    name: 'MP_REACH_NLRI IPv4',
    value: { type: 'MP_REACH_NLRI', family: 'ipv4', safi: 1, nextHop: ip('192.0.2.1'), nlri: [pfx('198.51.100.0/24')] },
    ctx: CTX4,
  },
  {
    name: 'MP_UNREACH_NLRI IPv6',
    value: {
      type: 'MP_UNREACH_NLRI',
      family: 'ipv6',
      safi: 1,
      withdrawn: [pfx('2001:db8:1::/48'), pfx('2001:db8::7/128')],
    },
    ctx: CTX4,
  },
  {
    name: 'MP_UNREACH_NLRI IPv6 empty (End-of-RIB)',
    value: { type: 'MP_UNREACH_NLRI', family: 'ipv6', safi: 1, withdrawn: [] },
    ctx: CTX4,
  },
  {
    name: 'MP_UNREACH_NLRI IPv4 multicast',
    value: { type: 'MP_UNREACH_NLRI', family: 'ipv4', safi: 2, withdrawn: [pfx('203.0.113.0/25')] },
    ctx: CTX4,
  },
  {
    name: 'AS4_PATH',
    value: { type: 'AS4_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [4200000000, 64500] }] },
    ctx: CTX2,
  },
  { name: 'AS4_AGGREGATOR', value: { type: 'AS4_AGGREGATOR', asn: 4200000000, address: ip('192.0.2.77') }, ctx: CTX2 },
  {
    name: 'UNKNOWN optional transitive (partial)',
    value: { type: 'UNKNOWN', code: 99, flags: 0xe0, data: new Uint8Array([1, 2, 3]) },
    ctx: CTX4,
  },
  {
    name: 'UNKNOWN optional non-transitive',
    value: { type: 'UNKNOWN', code: 200, flags: 0x80, data: new Uint8Array(0) },
    ctx: CTX4,
  },
  {
    name: 'UNKNOWN extended communities (kept raw)',
    value: { type: 'UNKNOWN', code: 16, flags: 0xc0, data: new Uint8Array(300).fill(7) },
    ctx: CTX4,
  },
];

// ---- capabilities ------------------------------------------------------------------------------------

export const CAPABILITIES: { name: string; value: Capability }[] = [
  { name: 'MULTIPROTOCOL IPv4 unicast', value: { type: 'MULTIPROTOCOL', afi: 1, safi: 1 } },
  { name: 'MULTIPROTOCOL IPv6 unicast', value: { type: 'MULTIPROTOCOL', afi: 2, safi: 1 } },
  { name: 'ROUTE_REFRESH', value: { type: 'ROUTE_REFRESH' } },
  { name: 'ENHANCED_ROUTE_REFRESH', value: { type: 'ENHANCED_ROUTE_REFRESH' } },
  { name: 'FOUR_OCTET_AS', value: { type: 'FOUR_OCTET_AS', asn: 4200000000 } },
  {
    name: 'GRACEFUL_RESTART',
    value: {
      type: 'GRACEFUL_RESTART',
      restartState: true,
      notification: true,
      restartTime: 4095,
      families: [
        { afi: 1, safi: 1, forwardingState: true },
        { afi: 2, safi: 1, forwardingState: false },
      ],
    },
  },
  {
    name: 'GRACEFUL_RESTART helper only',
    value: { type: 'GRACEFUL_RESTART', restartState: false, notification: false, restartTime: 120, families: [] },
  },
  { name: 'UNKNOWN (add-path)', value: { type: 'UNKNOWN', code: 69, data: new Uint8Array([0, 1, 1, 3]) } },
];

function lengthPrefixed(text: string): Uint8Array {
  const t = new TextEncoder().encode(text);
  return new Uint8Array([t.length, ...t]);
}

// ---- messages ----------------------------------------------------------------------------------------

const allCaps = CAPABILITIES.map((c) => c.value);

export const MESSAGES: { name: string; value: BgpMessage; ctx: CodecContext }[] = [
  { name: 'KEEPALIVE', value: { type: 'KEEPALIVE' }, ctx: CTX4 },
  {
    name: 'OPEN without optional parameters',
    value: { type: 'OPEN', version: 4, myAsn: 64500, holdTime: 0, bgpId: 0xc0000201, capabilities: [] },
    ctx: CTX2,
  },
  {
    name: 'OPEN with every capability',
    value: { type: 'OPEN', version: 4, myAsn: 23456, holdTime: 90, bgpId: 0xc6336401, capabilities: allCaps },
    ctx: CTX2,
  },
  {
    name: 'OPEN with capabilities over 255 octets (RFC 9072 extended length)',
    value: {
      type: 'OPEN',
      version: 4,
      myAsn: 64500,
      holdTime: 180,
      bgpId: 1,
      capabilities: [...allCaps, { type: 'UNKNOWN', code: 73, data: new Uint8Array(250).fill(0x41) }],
    },
    ctx: CTX4,
  },
  {
    name: 'NOTIFICATION hold timer expired',
    value: { type: 'NOTIFICATION', code: 4, subcode: 0, data: new Uint8Array(0) },
    ctx: CTX4,
  },
  {
    name: 'NOTIFICATION UPDATE/attribute flags error with data',
    value: { type: 'NOTIFICATION', code: 3, subcode: 4, data: new Uint8Array([0x80, 1, 1, 0]) },
    ctx: CTX4,
  },
  {
    name: 'NOTIFICATION Cease/Administrative Shutdown with RFC 9003 communication',
    value: {
      type: 'NOTIFICATION',
      code: 6,
      subcode: 2,
      data: lengthPrefixed('maintenance ✓.'),
      shutdownCommunication: 'maintenance ✓.',
    },
    ctx: CTX4,
  },
  {
    name: 'NOTIFICATION Cease/Administrative Reset empty communication',
    value: { type: 'NOTIFICATION', code: 6, subcode: 4, data: new Uint8Array([0]), shutdownCommunication: '' },
    ctx: CTX4,
  },
  { name: 'ROUTE-REFRESH IPv4 unicast', value: { type: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: 0 }, ctx: CTX4 },
  { name: 'ROUTE-REFRESH BoRR IPv6', value: { type: 'ROUTE-REFRESH', afi: 2, safi: 1, subtype: 1 }, ctx: CTX4 },
  { name: 'ROUTE-REFRESH EoRR IPv6', value: { type: 'ROUTE-REFRESH', afi: 2, safi: 1, subtype: 2 }, ctx: CTX4 },
  {
    name: 'ROUTE-REFRESH with ORF entries',
    value: { type: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: 0, orf: new Uint8Array([1, 0, 4, 0x40, 0, 0, 0]) },
    ctx: CTX4,
  },
  { name: 'UPDATE End-of-RIB IPv4', value: { type: 'UPDATE', withdrawn: [], attributes: [], nlri: [] }, ctx: CTX4 },
  {
    name: 'UPDATE End-of-RIB IPv6',
    value: {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [{ type: 'MP_UNREACH_NLRI', family: 'ipv6', safi: 1, withdrawn: [] }],
      nlri: [],
    },
    ctx: CTX4,
  },
  {
    name: 'UPDATE IPv4 announce with communities',
    value: {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        ...base,
        { type: 'MULTI_EXIT_DISC', med: 10 },
        { type: 'LOCAL_PREF', localPref: 200 },
        { type: 'COMMUNITIES', communities: [0xffffff01, 64500 * 65536 + 1] },
        { type: 'LARGE_COMMUNITIES', communities: [{ globalAdmin: 64500, localData1: 1, localData2: 2 }] },
      ],
      nlri: [pfx('192.0.2.10/32'), pfx('192.0.2.11/32'), pfx('203.0.113.0/24'), pfx('0.0.0.0/0')],
    },
    ctx: CTX4,
  },
  {
    name: 'UPDATE IPv4 withdraw only',
    value: { type: 'UPDATE', withdrawn: [pfx('192.0.2.10/32'), pfx('198.51.100.128/25')], attributes: [], nlri: [] },
    ctx: CTX4,
  },
  {
    name: 'UPDATE IPv6 announce + IPv4 withdraw',
    value: {
      type: 'UPDATE',
      withdrawn: [pfx('192.0.2.20/32')],
      attributes: [
        {
          type: 'MP_REACH_NLRI',
          family: 'ipv6',
          safi: 1,
          nextHop: ip('2001:db8::1'),
          linkLocalNextHop: ip('fe80::2'),
          nlri: [pfx('2001:db8:5::1/128')],
        },
        { type: 'ORIGIN', origin: 'INCOMPLETE' },
        { type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [64500] }] },
        { type: 'ATOMIC_AGGREGATE' },
        { type: 'AGGREGATOR', asn: 64500, address: ip('192.0.2.1') },
      ],
      nlri: [],
    },
    ctx: CTX4,
  },
  {
    name: 'UPDATE IPv6 withdraw',
    value: {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        {
          type: 'MP_UNREACH_NLRI',
          family: 'ipv6',
          safi: 1,
          withdrawn: [pfx('2001:db8:5::1/128'), pfx('2001:db8::/32')],
        },
      ],
      nlri: [],
    },
    ctx: CTX4,
  },
  {
    name: 'UPDATE to a 2-octet peer with 4-octet ASNs (AS4_PATH / AS4_AGGREGATOR on the wire)',
    value: {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { type: 'ORIGIN', origin: 'IGP' },
        {
          type: 'AS_PATH',
          segments: [
            { type: 'AS_SEQUENCE', asns: [64500, 4200000000, 64501] },
            { type: 'AS_SET', asns: [4200000001, 64600] },
          ],
        },
        { type: 'NEXT_HOP', nextHop: ip('192.0.2.1') },
        { type: 'AGGREGATOR', asn: 4200000002, address: ip('192.0.2.2') },
      ],
      nlri: [pfx('198.51.100.0/24')],
    },
    ctx: CTX2,
  },
  {
    name: 'UPDATE with unknown optional transitive attribute',
    value: {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [...base, { type: 'UNKNOWN', code: 35, flags: 0xc0, data: new Uint8Array([0, 0, 0xfb, 0xf4]) }],
      nlri: [pfx('192.0.2.128/25')],
    },
    ctx: CTX4,
  },
];

// ---- everything, as codec fixtures -------------------------------------------------------------------

export const FIXTURES: Fixture<unknown>[] = [
  ...MESSAGES.map((m) => ({ name: `message ${m.name}`, codec: messageCodec, value: m.value, ctx: m.ctx })),
  ...ATTRIBUTES.map((a) => ({ name: `attribute ${a.name}`, codec: pathAttributeCodec, value: a.value, ctx: a.ctx })),
  ...CAPABILITIES.map((c) => ({ name: `capability ${c.name}`, codec: capabilityCodec, value: c.value, ctx: CTX4 })),
  { name: 'prefix IPv4 /0', codec: ipv4PrefixCodec, value: pfx('0.0.0.0/0'), ctx: CTX4 },
  { name: 'prefix IPv4 /23', codec: ipv4PrefixCodec, value: pfx('198.51.100.0/23'), ctx: CTX4 },
  { name: 'prefix IPv4 /32', codec: ipv4PrefixCodec, value: pfx('203.0.113.255/32'), ctx: CTX4 },
  { name: 'prefix IPv6 /127', codec: ipv6PrefixCodec, value: pfx('2001:db8::fffe/127'), ctx: CTX4 },
  { name: 'prefix IPv6 /128', codec: ipv6PrefixCodec, value: pfx('2001:db8::1/128'), ctx: CTX4 },
] as Fixture<unknown>[];

/** Every message fixture encoded: the fuzz test's built-in seeds. */
export function encodedMessages(): { name: string; bytes: Uint8Array; ctx: CodecContext }[] {
  return MESSAGES.map((m) => {
    const bytes = new Uint8Array(messageCodec.length(m.value, m.ctx));
    messageCodec.write(m.value, bytes, 0, m.ctx);
    return { name: m.name, bytes, ctx: m.ctx };
  });
}
