import { describe, expect, it } from 'vitest';
import {
  decodeL2Frame,
  encodeL2Frame,
  solicitedNodeAddress,
  solicitedNodeMac,
  type ArpPacket,
  type L2Frame,
  type NdpPacket,
} from '../../../src/l2/codec/index.ts';
import {
  gratuitousArp,
  IGNORE_REASONS,
  respond,
  unsolicitedAdvertisement,
  type Decision,
  type IgnoreReason,
  type InterfaceFacts,
  type RespondInput,
} from '../../../src/l2/core/index.ts';
import { loadCapturedFrames } from './fixtures.ts';

const OUR = '02:00:5e:10:00:aa';
const CLIENT = '02:00:5e:10:00:01';
const OTHER = '02:00:5e:10:00:bb';
const IFACE: InterfaceFacts = { name: 'eth0', index: 2, mac: OUR, up: true, noArp: false };
const OWNED = new Set(['192.0.2.10', '2001:db8::10']);

function arpFrame(arp: Partial<ArpPacket>, ethDst = 'ff:ff:ff:ff:ff:ff', ethSrc = CLIENT): Uint8Array {
  const a: ArpPacket = {
    operation: 1,
    senderHardwareAddress: CLIENT,
    senderProtocolAddress: '192.0.2.1',
    targetHardwareAddress: '00:00:00:00:00:00',
    targetProtocolAddress: '192.0.2.10',
    ...arp,
  };
  return encodeL2Frame({
    ethernet: { destination: ethDst, source: ethSrc, etherType: 0x0806 },
    payload: { kind: 'arp', arp: a },
  });
}

function nsFrame(
  target: string,
  o: { source?: string; dst?: string; ethDst?: string; sllao?: boolean } = {},
): Uint8Array {
  const ndp: NdpPacket = {
    trafficClass: 0,
    flowLabel: 0,
    hopLimit: 255,
    source: o.source ?? '2001:db8::1',
    destination: o.dst ?? solicitedNodeAddress(target),
    message: {
      type: 'neighbor-solicitation',
      reserved: 0,
      targetAddress: target,
      options: o.sllao === false ? [] : [{ kind: 'source-link-layer-address', address: CLIENT }],
    },
  };
  return encodeL2Frame({
    ethernet: { destination: o.ethDst ?? solicitedNodeMac(target), source: CLIENT, etherType: 0x86dd },
    payload: { kind: 'ndp', ndp },
  });
}

function decide(frame: Uint8Array, over: Partial<RespondInput> = {}): Decision {
  return respond({ frame, iface: IFACE, owned: OWNED, ownedElsewhere: (ip) => ip === '192.0.2.20', ...over });
}

function replyFrame(d: Decision): L2Frame {
  if (d.action !== 'reply') throw new Error(`expected a reply, got ${JSON.stringify(d)}`);
  return decodeL2Frame(d.frame, 0).value;
}

describe('respond: replies', () => {
  it('answers an ARP request for an owned IP with a unicast reply from our MAC', () => {
    const d = decide(arpFrame({}));
    expect(d).toMatchObject({
      action: 'reply',
      family: 'ipv4',
      ip: '192.0.2.10',
      requesterMac: CLIENT,
      requesterIp: '192.0.2.1',
      unicast: false,
    });
    expect(replyFrame(d)).toEqual({
      ethernet: { destination: CLIENT, source: OUR, etherType: 0x0806 },
      payload: {
        kind: 'arp',
        arp: {
          operation: 2,
          senderHardwareAddress: OUR,
          senderProtocolAddress: '192.0.2.10',
          targetHardwareAddress: CLIENT,
          targetProtocolAddress: '192.0.2.1',
        },
      },
    });
  });
  it('answers an ARP probe (sender 0.0.0.0) so the prober sees the address is taken', () => {
    expect(decide(arpFrame({ senderProtocolAddress: '0.0.0.0' }))).toMatchObject({
      action: 'reply',
      requesterIp: '0.0.0.0',
    });
  });
  it('answers a multicast Neighbor Solicitation with a solicited NA carrying Override and our MAC', () => {
    const d = decide(nsFrame('2001:db8::10'));
    const f = replyFrame(d);
    expect(f.ethernet).toMatchObject({ destination: CLIENT, source: OUR });
    expect(f.payload).toMatchObject({
      kind: 'ndp',
      ndp: {
        hopLimit: 255,
        source: '2001:db8::10',
        destination: '2001:db8::1',
        message: {
          type: 'neighbor-advertisement',
          solicited: true,
          override: true,
          router: false,
          targetAddress: '2001:db8::10',
          options: [{ kind: 'target-link-layer-address', address: OUR }],
        },
      },
    });
  });
  it('answers a unicast NUD probe (to the owned IP and our MAC, no source link-layer option) — metallb#2920', () => {
    const d = decide(nsFrame('2001:db8::10', { dst: '2001:db8::10', ethDst: OUR, sllao: false }));
    expect(d).toMatchObject({ action: 'reply', unicast: true, requesterMac: CLIENT });
    expect(replyFrame(d).ethernet.destination).toBe(CLIENT);
  });
  it('answers a DAD probe (source ::) to all nodes, not solicited', () => {
    const d = decide(nsFrame('2001:db8::10', { source: '::', sllao: false }));
    expect(replyFrame(d).payload).toMatchObject({
      ndp: { destination: 'ff02::1', message: { solicited: false, override: true } },
    });
  });
  it('answers the frames Linux, arping and ndisc6 sent (captured) when the target is owned', () => {
    const frames = loadCapturedFrames();
    const owned = new Set(['192.0.2.2', '2001:db8::2']);
    for (const name of ['arping-request', 'kernel-arp-request', 'ndisc6-solicitation', 'kernel-solicitation']) {
      expect(respond({ frame: frames.get(name)!.bytes, iface: IFACE, owned }), name).toMatchObject({ action: 'reply' });
    }
  });
});

describe('respond: conflicts', () => {
  it.each([
    [
      'an ARP reply for an owned IP from another MAC',
      arpFrame(
        {
          operation: 2,
          senderHardwareAddress: OTHER,
          senderProtocolAddress: '192.0.2.10',
          targetProtocolAddress: '192.0.2.1',
        },
        CLIENT,
        OTHER,
      ),
      'arp-reply',
      OTHER,
    ],
    [
      'a gratuitous ARP request claiming an owned IP',
      arpFrame({ senderHardwareAddress: OTHER, senderProtocolAddress: '192.0.2.10' }, 'ff:ff:ff:ff:ff:ff', OTHER),
      'arp-request',
      OTHER,
    ],
    [
      'an unsolicited NA for an owned IP',
      unsolicitedAdvertisement('2001:db8::10', OTHER),
      'neighbor-advertisement',
      OTHER,
    ],
  ])('%s', (_name, frame, evidence, mac) => {
    expect(decide(frame)).toMatchObject({ action: 'conflict', evidence, mac });
  });
  it('captured: arping -U / -U -P claiming an owned IP', () => {
    const frames = loadCapturedFrames();
    for (const name of ['arping-unsolicited-request', 'arping-unsolicited-reply']) {
      expect(
        respond({ frame: frames.get(name)!.bytes, iface: IFACE, owned: new Set(['192.0.2.1']) }),
        name,
      ).toMatchObject({ action: 'conflict', ip: '192.0.2.1' });
    }
    expect(
      respond({
        frame: frames.get('kernel-unsolicited-advertisement')!.bytes,
        iface: IFACE,
        owned: new Set(['2001:db8::1']),
      }),
    ).toMatchObject({ action: 'conflict', family: 'ipv6' });
  });
  it('our own gratuitous ARP is not a conflict', () => {
    for (const f of gratuitousArp('192.0.2.10', OUR))
      expect(decide(f)).toMatchObject({ action: 'ignore', reason: 'own-frame' });
  });
});

describe('respond: every ignore reason', () => {
  const cases: [IgnoreReason, () => Decision][] = [
    ['interface-down', () => decide(arpFrame({}), { iface: { ...IFACE, up: false } })],
    ['interface-noarp', () => decide(arpFrame({}), { iface: { ...IFACE, noArp: true } })],
    ['interface-enslaved', () => decide(arpFrame({}), { iface: { ...IFACE, master: 'br0' } })],
    ['malformed', () => decide(arpFrame({}).subarray(0, 30))],
    ['own-frame', () => decide(arpFrame({}, 'ff:ff:ff:ff:ff:ff', OUR))],
    ['vlan-tagged', () => decide(loadCapturedFrames().get('arping-vlan-request')!.bytes)],
    ['not-for-us', () => decide(arpFrame({}, OTHER))],
    [
      'not-arp-or-ndp',
      () =>
        decide(
          encodeL2Frame({
            ethernet: { destination: OUR, source: CLIENT, etherType: 0x0800 },
            payload: { kind: 'other' },
          }),
        ),
    ],
    ['not-request', () => decide(arpFrame({ operation: 2, targetProtocolAddress: '192.0.2.10' }, OUR))],
    ['not-owned', () => decide(arpFrame({ targetProtocolAddress: '192.0.2.99' }))],
    ['wrong-interface', () => decide(arpFrame({ targetProtocolAddress: '192.0.2.20' }))],
  ];
  it('covers the whole list', () => expect(cases.map((c) => c[0]).sort()).toEqual([...IGNORE_REASONS].sort()));
  it.each(cases)('%s', (reason, run) => expect(run()).toMatchObject({ action: 'ignore', reason }));
  it('kernel-reported outgoing and VLAN frames are ignored too', () => {
    expect(decide(arpFrame({}), { outgoing: true })).toMatchObject({ reason: 'own-frame' });
    expect(decide(arpFrame({}), { vlanTagged: true })).toMatchObject({ reason: 'vlan-tagged' });
  });
  it('a malformed frame names the decode error', () => {
    expect(decide(nsFrame('2001:db8::10').subarray(0, 70))).toMatchObject({ reason: 'malformed', detail: 'truncated' });
  });
  it('an NS for an IP owned on another interface is wrong-interface, not-owned otherwise', () => {
    expect(
      respond({
        frame: nsFrame('2001:db8::99'),
        iface: IFACE,
        owned: OWNED,
        ownedElsewhere: (ip) => ip === '2001:db8::99',
      }),
    ).toMatchObject({ reason: 'wrong-interface' });
    expect(decide(nsFrame('2001:db8::99'))).toMatchObject({ reason: 'not-owned', ip: '2001:db8::99' });
  });
});
