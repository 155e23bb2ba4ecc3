// IPVS over generic netlink (src/ipvs/codec): each plan change becomes the request ipvsadm would send, every
// message round-trips, and the real kernel's replies (captured in the VM, test/fixtures/ipvs-netlink) decode:
// its ACKs to FerroLB's requests, EEXIST for a duplicate, and the GET_SERVICE / GET_DEST dumps matching
// `ipvsadm -Sn` of the same state.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  changeMessage,
  changeSubject,
  dumpedReal,
  dumpedService,
  encodeIpvsMessage,
  fromGenl,
  IP_VS_SVC_F_PERSISTENT,
  IPVS_CMD_DEL_DEST,
  IPVS_CMD_DEL_SERVICE,
  IPVS_CMD_NEW_DEST,
  IPVS_CMD_NEW_SERVICE,
  IPVS_CMD_SET_DEST,
  IPVS_CMD_SET_SERVICE,
  ipvsMessageCodec,
  parseServiceAttrs,
  type IpvsMessage,
} from '../../../src/ipvs/codec/index.ts';
import { parseIpvsadmSave, realKey, vsKeyOf, type IpvsChange, type VirtualServer } from '../../../src/ipvs/index.ts';
import {
  attrBytes,
  attrU16,
  decodeNlMessages,
  decodeNlMsgErr,
  NLMSG_DONE,
  NLMSG_ERROR,
  parseGenlPayload,
} from '../../../src/netlink/codec/index.ts';
import { writeInetAddr } from '../../../src/ipvs/codec/address.ts';
import { parseIp } from '../../../src/net/ip.ts';
import { DecodeError, fromHex, hex, writeBig } from '../../../src/wire/index.ts';
import { expectRoundTrip } from '../../helpers/codec-roundtrip.ts';
import { loadKernelReplies } from './netlink-fixtures.ts';

const vs4: VirtualServer = { protocol: 'TCP', address: '192.0.2.10', family: 'ipv4', port: 80, scheduler: 'wlc' };
const vs6: VirtualServer = {
  protocol: 'UDP',
  address: '2001:db8:1::1',
  family: 'ipv6',
  port: 53,
  scheduler: 'rr',
  persistence: 300,
};
const vsSctp: VirtualServer = {
  protocol: 'SCTP',
  address: '198.51.100.7',
  family: 'ipv4',
  port: 3868,
  scheduler: 'mh',
};
const real4 = { address: '203.0.113.1', port: 8080, weight: 2 };
const real6 = { address: '2001:db8:2::1', port: 5353, weight: 1 };

const CHANGES: IpvsChange[] = [
  { op: 'add-service', vs: vs4 },
  { op: 'add-service', vs: vs6 },
  { op: 'add-service', vs: vsSctp },
  { op: 'edit-service', vs: vs6, from: { ...vs6, persistence: undefined } },
  { op: 'add-real', vs: vs4, real: real4 },
  { op: 'add-real', vs: vs6, real: real6 },
  { op: 'edit-real', vs: vs4, real: { ...real4, weight: 0 }, fromWeight: 2, reason: 'drain' },
  { op: 'del-real', vs: vs6, real: real6, reason: 'drained' },
  { op: 'del-service', vs: vsSctp },
];

const ctx = (m: IpvsMessage) => ({ length: ipvsMessageCodec.length(m, { length: 0 }) });

describe('IPVS netlink messages', () => {
  it('every plan change maps to the command ipvsadm -R would use, and round-trips', () => {
    const cmds = CHANGES.map((c) => changeMessage(c).cmd);
    expect(cmds).toEqual([
      IPVS_CMD_NEW_SERVICE,
      IPVS_CMD_NEW_SERVICE,
      IPVS_CMD_NEW_SERVICE,
      IPVS_CMD_SET_SERVICE,
      IPVS_CMD_NEW_DEST,
      IPVS_CMD_NEW_DEST,
      IPVS_CMD_SET_DEST,
      IPVS_CMD_DEL_DEST,
      IPVS_CMD_DEL_SERVICE,
    ]);
    for (const c of CHANGES) {
      const m = changeMessage(c);
      expectRoundTrip(ipvsMessageCodec, m, ctx(m));
    }
  });

  it('fills services and destinations as ipvsadm does (persistence flag and netmask, masquerade, thresholds)', () => {
    const add6 = changeMessage(CHANGES[1]!);
    expect(add6.service).toEqual({
      af: AF_INET6,
      protocol: 17,
      address: '2001:db8:1::1',
      port: 53,
      schedName: 'rr',
      flags: { flags: IP_VS_SVC_F_PERSISTENT, mask: 0xffffffff },
      timeout: 300,
      netmask: 128,
    });
    const add4 = changeMessage(CHANGES[0]!);
    expect([add4.service!.flags, add4.service!.netmask, add4.service!.timeout]).toEqual([
      { flags: 0, mask: 0xffffffff },
      0xffffffff,
      0,
    ]);
    expect(changeMessage(CHANGES[4]!).dest).toEqual({
      address: '203.0.113.1',
      port: 8080,
      fwdMethod: 0,
      weight: 2,
      uThresh: 0,
      lThresh: 0,
      addrFamily: AF_INET,
    });
    // Deletions name the service (and destination) only.
    expect(changeMessage(CHANGES[8]!).service).toEqual({
      af: AF_INET,
      protocol: 132,
      address: '198.51.100.7',
      port: 3868,
    });
    expect(changeSubject(CHANGES[6]!)).toBe('edit-real TCP/192.0.2.10:80 -> 203.0.113.1:8080');
    expect(changeSubject(CHANGES[8]!)).toBe('del-service SCTP/198.51.100.7:3868');
  });

  it('bad input: an unknown family, a service without AF', () => {
    const err = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(DecodeError);
        return (e as DecodeError).code;
      }
      return 'none';
    };
    expect(err(() => parseServiceAttrs([attrBytes(3, new Uint8Array(16))]))).toBe('ipvs-missing-attribute');
    expect(err(() => parseServiceAttrs([attrU16(1, 7), attrBytes(3, new Uint8Array(16))]))).toBe('ipvs-bad-family');
    expect(() => encodeIpvsMessage({ cmd: 1, service: { af: AF_INET, address: '2001:db8::1' } })).toThrow(RangeError);
    expect(dumpedService({ af: AF_INET, fwmark: 5 })).toBe('fwmark service 5');
    expect(dumpedReal({ address: '192.0.2.1' }, false)).toMatch(/^destination /);
  });

  it('the kernel ACKs the requests FerroLB encodes and answers a duplicate with EEXIST (captured in the VM)', () => {
    const k = loadKernelReplies();
    const cases: [string, IpvsChange, number][] = [
      ['newService4', { op: 'add-service', vs: vs4 }, 0],
      ['newService6', { op: 'add-service', vs: vs6 }, 0],
      ['newDest4', { op: 'add-real', vs: vs4, real: real4 }, 0],
      ['newDest6', { op: 'add-real', vs: vs6, real: real6 }, 0],
      ['existingService', { op: 'add-service', vs: vs4 }, -17],
    ];
    for (const [name, change, error] of cases) {
      const x = k[name as 'newService4'];
      const [req] = decodeNlMessages(fromHex(x.request));
      // The request bytes are what the codec writes today (the kernel accepted exactly these).
      expect(hex(req!.payload), name).toBe(hex(encodeIpvsMessage(changeMessage(change))));
      const replies = decodeNlMessages(fromHex(x.reply));
      expect(
        replies.map((r) => r.type),
        name,
      ).toEqual([NLMSG_ERROR]);
      const e = decodeNlMsgErr(replies[0]!.payload, 0, {
        flags: replies[0]!.flags,
        length: replies[0]!.payload.length,
      }).value;
      expect([e.error, e.request.seq], name).toEqual([error, req!.seq]);
    }
  });

  it("decodes the kernel's GET_SERVICE and GET_DEST dumps into the model `ipvsadm -Sn` of the same state gives", () => {
    const k = loadKernelReplies();
    const dump = (x: { reply: string }, af?: number): IpvsMessage[] => {
      const replies = decodeNlMessages(fromHex(x.reply));
      expect(replies.at(-1)!.type).toBe(NLMSG_DONE);
      return replies.filter((r) => r.type === k.family).map((r) => fromGenl(parseGenlPayload(r.payload), af));
    };
    const services = dump(k.serviceDump).map((m) => dumpedService(m.service!));
    const save = parseIpvsadmSave(k.ipvsadmSave).services;
    expect(new Map(services.map((v) => [vsKeyOf(v as VirtualServer), v]))).toEqual(
      new Map([...save].map(([key, s]) => [key, { ...s.vs, persistence: s.vs.persistence }])),
    );
    for (const [x, vs, af] of [
      [k.destDump4, vs4, AF_INET],
      [k.destDump6, vs6, AF_INET6],
    ] as const) {
      const reals = dump(x, af).map((m) => dumpedReal(m.dest!, true));
      const want = [...save.get(vsKeyOf(vs))!.reals.values()].map((r) => ({ ...r, activeConns: 0, inactiveConns: 0 }));
      expect(reals).toEqual(want);
    }
    expect(save.get(vsKeyOf(vs4))!.reals.has(realKey(real4.address, real4.port))).toBe(true);
  });
});

describe('nf_inet_addr writing (the fast text paths against src/net)', () => {
  it('writes what the full parser gives, and refuses what it refuses', () => {
    const via = (text: string, af: number): string => {
      const b = new Uint8Array(16).fill(0xee);
      writeInetAddr(text, af, b, 0, 'test');
      return hex(b);
    };
    const full = (text: string): string => {
      const ip = parseIp(text)!;
      const b = new Uint8Array(16);
      writeBig(b, 0, ip.family === 'ipv4' ? 4 : 16, ip.value);
      return hex(b);
    };
    for (const t of ['0.0.0.0', '192.0.2.10', '255.255.255.255', '203.0.113.1'])
      expect(via(t, AF_INET), t).toBe(full(t));
    for (const t of [
      '::',
      '::1',
      '2001:db8::',
      '2001:db8:1::1',
      '2001:DB8:0:0:0:0:0:ff',
      '1:2:3:4:5:6:7:8',
      'fe80::1:2',
      '::ffff:192.0.2.1',
    ])
      expect(via(t, AF_INET6), t).toBe(full(t));
    for (const [t, af] of [
      ['1.2.3', AF_INET],
      ['256.1.1.1', AF_INET],
      ['1.2.3.4.5', AF_INET],
      ['01234.1.1.1', AF_INET],
      ['1::2::3', AF_INET6],
      ['1:2:3:4:5:6:7:8:9', AF_INET6],
      ['12345::', AF_INET6],
      ['2001:db8::1', AF_INET],
      ['192.0.2.1', AF_INET6],
    ] as const)
      expect(() => via(t, af), t).toThrow(RangeError);
  });
});
