import { describe, expect, it } from 'vitest';
import {
  arpCodec,
  decodeL2Frame,
  encodeL2Frame,
  ethernetHeaderCodec,
  icmpv6Checksum,
  ipv6HeaderCodec,
  l2FrameCodec,
  ndpOptionCodec,
  ndpPacketCodec,
  neighborAdvertisementCodec,
  neighborSolicitationCodec,
  solicitedNodeAddress,
  solicitedNodeMac,
  type L2Frame,
  type NdpPacket,
} from '../../../src/l2/codec/index.ts';
import { DecodeError } from '../../../src/wire/index.ts';
import { expectRoundTrip } from '../../helpers/codec-roundtrip.ts';
import { loadCapturedFrames } from './fixtures.ts';

const MAC1 = '02:00:5e:10:00:01';
const MAC2 = '02:00:5e:10:00:02';

const ns: NdpPacket = {
  trafficClass: 0,
  flowLabel: 0,
  hopLimit: 255,
  source: '2001:db8::1',
  destination: solicitedNodeAddress('2001:db8::42'),
  message: {
    type: 'neighbor-solicitation',
    reserved: 0,
    targetAddress: '2001:db8::42',
    options: [{ kind: 'source-link-layer-address', address: MAC1 }],
  },
};
const na: NdpPacket = {
  trafficClass: 0,
  flowLabel: 0x12345,
  hopLimit: 255,
  source: '2001:db8::42',
  destination: 'ff02::1',
  message: {
    type: 'neighbor-advertisement',
    router: false,
    solicited: false,
    override: true,
    reserved: 0,
    targetAddress: '2001:db8::42',
    options: [
      { kind: 'target-link-layer-address', address: MAC2 },
      { kind: 'other', type: 14, data: new Uint8Array(6).fill(7) },
    ],
  },
};

describe('L2 codecs: round trips', () => {
  it('Ethernet header, untagged and 802.1Q-tagged', () => {
    expectRoundTrip(ethernetHeaderCodec, { destination: MAC1, source: MAC2, etherType: 0x0806 }, undefined);
    expectRoundTrip(
      ethernetHeaderCodec,
      {
        destination: MAC1,
        source: MAC2,
        vlan: { tpid: 0x8100, priority: 5, dropEligible: true, id: 4094 },
        etherType: 0x86dd,
      },
      undefined,
    );
  });
  it('ARP request and reply', () => {
    for (const operation of [1, 2]) {
      expectRoundTrip(
        arpCodec,
        {
          operation,
          senderHardwareAddress: MAC1,
          senderProtocolAddress: '192.0.2.1',
          targetHardwareAddress: '00:00:00:00:00:00',
          targetProtocolAddress: '192.0.2.200',
        },
        undefined,
      );
    }
  });
  it('IPv6 header, NDP options, NS and NA (checksums computed on write, verified on decode)', () => {
    expectRoundTrip(
      ipv6HeaderCodec,
      {
        trafficClass: 0xb8,
        flowLabel: 0xfffff,
        payloadLength: 32,
        nextHeader: 58,
        hopLimit: 255,
        source: 'fe80::1',
        destination: 'ff02::1:ff00:42',
      },
      undefined,
    );
    expectRoundTrip(ndpOptionCodec, { kind: 'source-link-layer-address', address: MAC1 }, undefined);
    expectRoundTrip(ndpOptionCodec, { kind: 'other', type: 5, data: new Uint8Array(6) }, undefined);
    const ctx = { source: ns.source, destination: ns.destination, messageLength: 32 };
    expectRoundTrip(neighborSolicitationCodec, ns.message as never, ctx);
    expectRoundTrip(neighborAdvertisementCodec, na.message as never, {
      source: na.source,
      destination: na.destination,
      messageLength: 40,
    });
    expectRoundTrip(ndpPacketCodec, ns, undefined);
    expectRoundTrip(ndpPacketCodec, na, undefined);
  });
  it('whole frames (ARP, NDP, other EtherTypes)', () => {
    expectRoundTrip(
      l2FrameCodec,
      {
        ethernet: { destination: 'ff:ff:ff:ff:ff:ff', source: MAC1, etherType: 0x0806 },
        payload: {
          kind: 'arp',
          arp: {
            operation: 1,
            senderHardwareAddress: MAC1,
            senderProtocolAddress: '192.0.2.1',
            targetHardwareAddress: '00:00:00:00:00:00',
            targetProtocolAddress: '192.0.2.9',
          },
        },
      },
      undefined,
    );
    expectRoundTrip(
      l2FrameCodec,
      {
        ethernet: {
          destination: solicitedNodeMac('2001:db8::42'),
          source: MAC1,
          vlan: { tpid: 0x8100, priority: 0, dropEligible: false, id: 10 },
          etherType: 0x86dd,
        },
        payload: { kind: 'ndp', ndp: ns },
      },
      undefined,
    );
    expectRoundTrip(
      l2FrameCodec,
      { ethernet: { destination: MAC1, source: MAC2, etherType: 0x0800 }, payload: { kind: 'other' } },
      undefined,
    );
  });
});

describe('L2 codecs: bad input comes back as a DecodeError with a stable code', () => {
  const good = encodeL2Frame({
    ethernet: { destination: '33:33:00:00:00:01', source: MAC2, etherType: 0x86dd },
    payload: { kind: 'ndp', ndp: na },
  });
  const code = (b: Uint8Array): string => {
    try {
      decodeL2Frame(b, 0);
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      return (e as DecodeError).code;
    }
    return 'decoded';
  };
  // Re-computes the checksum after a mutation, so the check under test is the one that trips.
  const resum = (b: Uint8Array): Uint8Array => {
    b[56] = 0;
    b[57] = 0;
    const c = icmpv6Checksum(na.source, na.destination, b.subarray(54));
    b[56] = c >>> 8;
    b[57] = c & 0xff;
    return b;
  };
  it.each([
    ['truncated', (b: Uint8Array) => b.subarray(0, 50)],
    [
      'icmpv6-bad-checksum',
      (b: Uint8Array) => {
        b[14 + 40 + 8 + 15] = (b[14 + 40 + 8 + 15] ?? 0) ^ 1;
        return b;
      },
    ],
    [
      'ndp-hop-limit',
      (b: Uint8Array) => {
        b[14 + 7] = 64;
        return b;
      },
    ],
    [
      'ndp-bad-code',
      (b: Uint8Array) => {
        b[14 + 41] = 1;
        return resum(b);
      },
    ],
    [
      'ndp-option-zero-length',
      (b: Uint8Array) => {
        b[14 + 40 + 24 + 1] = 0;
        return resum(b);
      },
    ],
    [
      'ipv6-bad-version',
      (b: Uint8Array) => {
        b[14] = 0x45;
        return b;
      },
    ],
    [
      'arp-unsupported',
      () => {
        const a = encodeL2Frame({
          ethernet: { destination: MAC1, source: MAC2, etherType: 0x0806 },
          payload: {
            kind: 'arp',
            arp: {
              operation: 1,
              senderHardwareAddress: MAC1,
              senderProtocolAddress: '192.0.2.1',
              targetHardwareAddress: MAC2,
              targetProtocolAddress: '192.0.2.2',
            },
          },
        });
        a[14 + 1] = 6;
        return a;
      },
    ],
    [
      'ethernet-not-ethernet-ii',
      (b: Uint8Array) => {
        b[12] = 0;
        b[13] = 60;
        return b;
      },
    ],
  ])('%s', (expected, mutate) => {
    expect(code(mutate(new Uint8Array(good)))).toBe(expected);
  });
  it('the good frame itself decodes', () => expect(code(good)).toBe('decoded'));
  it('a checksum computed over a correct message verifies to 0', () => {
    const msg = good.subarray(54);
    expect(icmpv6Checksum(na.source, na.destination, msg)).toBe(0);
  });
});

describe('frames captured from Linux, arping and ndisc6 (test/fixtures/l2) re-encode byte for byte', () => {
  const frames = loadCapturedFrames();
  it('the loader found every captured frame', () => expect(frames.size).toBeGreaterThanOrEqual(12));
  for (const f of frames.values()) {
    it(`${f.name}: ${f.what}`, () => {
      const { value, bytesRead } = decodeL2Frame(f.bytes, 0);
      expect(value.payload.kind).not.toBe('other');
      expect(encodeL2Frame(value)).toEqual(f.bytes.subarray(0, bytesRead));
      expect([...f.bytes.subarray(bytesRead)].every((b) => b === 0)).toBe(true); // Ethernet padding only
    });
  }
  const get = (name: string): L2Frame => decodeL2Frame(frames.get(name)!.bytes, 0).value;
  it('field values match what the tools sent', () => {
    const req = get('arping-request');
    expect(req.payload).toMatchObject({
      kind: 'arp',
      arp: { operation: 1, senderProtocolAddress: '192.0.2.1', targetProtocolAddress: '192.0.2.2' },
    });
    expect(get('kernel-arp-reply').payload).toMatchObject({
      kind: 'arp',
      arp: { operation: 2, senderProtocolAddress: '192.0.2.2', targetProtocolAddress: '192.0.2.1' },
    });
    expect(get('arping-vlan-request').ethernet.vlan).toMatchObject({ tpid: 0x8100, id: 10 });
    const sol = get('kernel-solicitation');
    expect(sol.payload).toMatchObject({
      kind: 'ndp',
      ndp: {
        destination: solicitedNodeAddress('2001:db8::2'),
        message: { type: 'neighbor-solicitation', targetAddress: '2001:db8::2' },
      },
    });
    expect(sol.ethernet.destination).toBe(solicitedNodeMac('2001:db8::2'));
    expect(get('kernel-advertisement').payload).toMatchObject({
      kind: 'ndp',
      ndp: {
        message: { type: 'neighbor-advertisement', solicited: true, override: true, targetAddress: '2001:db8::2' },
      },
    });
    expect(get('ndisc6-solicitation').payload).toMatchObject({
      kind: 'ndp',
      ndp: { message: { type: 'neighbor-solicitation', targetAddress: '2001:db8::2' } },
    });
    expect(get('kernel-unsolicited-advertisement').payload).toMatchObject({
      kind: 'ndp',
      ndp: { destination: 'ff02::1', message: { solicited: false, override: true } },
    });
  });
});

describe('MAC and address helpers', () => {
  it('writes MACs given in any accepted form and rejects others naming them', async () => {
    const { macBytes, parseMac } = await import('../../../src/l2/codec/index.ts');
    expect([...macBytes('02:00:5E:10:00:AA')]).toEqual([2, 0, 0x5e, 0x10, 0, 0xaa]);
    expect([...macBytes('02-00-5e-10-00-aa')]).toEqual([2, 0, 0x5e, 0x10, 0, 0xaa]);
    expect(() => parseMac('02:00:5e:10:00', 'eth0 address')).toThrow(/eth0 address: "02:00:5e:10:00" is not a MAC/);
    expect(() => macBytes('02:00:5e:10:00:zz')).toThrow(/not a MAC/);
  });
});
