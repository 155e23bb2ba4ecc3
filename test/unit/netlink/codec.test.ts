// The netlink codecs (src/netlink/codec): every type round-trips, bad input is a DecodeError with a stable
// code, and the controller's answer captured from the real kernel decodes (test/fixtures/ipvs-netlink).
import { describe, expect, it } from 'vitest';
import {
  attrBe16,
  attrNested,
  attrString,
  attrU16,
  attrU32,
  attrU8,
  decodeFamily,
  decodeGenlMessage,
  decodeNlAttr,
  decodeNlMessage,
  decodeNlMessages,
  decodeNlMsgErr,
  decodeNlMsgHeader,
  encodeNlAttr,
  encodeNlMessages,
  genlMessageCodec,
  GENL_ID_CTRL,
  nlAttrCodec,
  nlAttrsCodec,
  nlAttrsLength,
  nlMessageCodec,
  nlMsgErrCodec,
  nlMsgErrLength,
  nlMsgHeaderCodec,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSGERR_ATTR_MSG,
  parseGenlPayload,
  parseNlAttrs,
  readAttrBe16,
  readAttrString,
  readAttrU16,
  readAttrU32,
  readAttrU8,
  extackMessage,
  type NlAttr,
  type NlMsgErr,
} from '../../../src/netlink/codec/index.ts';
import { DecodeError, fromHex } from '../../../src/wire/index.ts';
import { expectRoundTrip } from '../../helpers/codec-roundtrip.ts';
import { loadKernelReplies } from '../ipvs/netlink-fixtures.ts';

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return (err as DecodeError).code;
  }
  throw new Error('no DecodeError');
};

describe('netlink codecs', () => {
  it('nlmsghdr and whole messages round-trip (payloads of any length, padded to 4)', () => {
    expectRoundTrip(nlMsgHeaderCodec, { length: 36, type: 0x20, flags: 0x305, seq: 0xfffffffe, pid: 77 }, undefined);
    for (const n of [0, 1, 3, 4, 7]) {
      const bytes = expectRoundTrip(
        nlMessageCodec,
        { type: 16, flags: 5, seq: n, pid: 0, payload: Uint8Array.from({ length: n }, (_, i) => i + 1) },
        undefined,
      );
      expect(bytes.length % 4).toBe(0);
    }
    const two = encodeNlMessages([
      { type: 16, flags: 1, seq: 1, pid: 0, payload: Uint8Array.of(1) },
      { type: 17, flags: 1, seq: 2, pid: 0, payload: Uint8Array.of(2, 3) },
    ]);
    expect(decodeNlMessages(two).map((m) => [m.type, m.seq, [...m.payload]])).toEqual([
      [16, 1, [1]],
      [17, 2, [2, 3]],
    ]);
  });

  it('attributes round-trip: scalars, strings, network order, nested with NLA_F_NESTED', () => {
    const inner = [attrU16(1, 10), attrBe16(4, 8080), attrString(6, 'wlc'), attrU8(13, 2)];
    const nested = attrNested(1, inner);
    expect(nested.nested).toBe(true);
    expectRoundTrip(nlAttrCodec, nested, undefined);
    expectRoundTrip(
      nlAttrCodec,
      { type: 5, nested: false, netByteOrder: true, data: Uint8Array.of(1, 2, 3) },
      undefined,
    );
    const list = [nested, attrU32(2, 0xffffffff)];
    expectRoundTrip(nlAttrsCodec, list, { length: nlAttrsLength(list) });
    const back = parseNlAttrs(parseNlAttrs(encodeNlAttr(nested).subarray(0))[0]!.data);
    expect(readAttrU16(back[0]!, 'af')).toBe(10);
    expect(readAttrBe16(back[1]!, 'port')).toBe(8080);
    expect(readAttrString(back[2]!)).toBe('wlc');
    expect(readAttrU8(back[3]!, 'x')).toBe(2);
    expect(readAttrU32(attrU32(2, 0xffffffff), 'mask')).toBe(0xffffffff);
    // 0x1f90 = 8080 in network order on the wire, whatever the host's order.
    expect([...attrBe16(4, 8080).data]).toEqual([0x1f, 0x90]);
  });

  it('nlmsgerr round-trips capped (an ACK), with the request copied, and with extended-ACK attributes', () => {
    const request = { length: 20, type: 0x20, flags: 5, seq: 9, pid: 0 };
    const ack: NlMsgErr = { error: 0, request, requestPayload: new Uint8Array(0), tlvs: [] };
    const c = (e: NlMsgErr, flags: number) => ({ flags, length: nlMsgErrLength(e, { flags }) });
    expectRoundTrip(nlMsgErrCodec, ack, c(ack, NLM_F_CAPPED));
    const copied: NlMsgErr = { error: -17, request, requestPayload: Uint8Array.of(1, 2, 3, 4), tlvs: [] };
    expectRoundTrip(nlMsgErrCodec, copied, c(copied, 0));
    const tlvs: NlAttr[] = [attrString(NLMSGERR_ATTR_MSG, 'no such thing'), attrU32(2, 24)];
    const withTlvs: NlMsgErr = { error: -22, request, requestPayload: new Uint8Array(0), tlvs };
    expectRoundTrip(nlMsgErrCodec, withTlvs, c(withTlvs, NLM_F_CAPPED | NLM_F_ACK_TLVS));
    expect(extackMessage(withTlvs)).toBe('no such thing');
  });

  it('generic netlink messages round-trip', () => {
    const m = { cmd: 3, version: 1, attrs: [attrString(2, 'IPVS')] };
    expectRoundTrip(genlMessageCodec, m, { length: 4 + nlAttrsLength(m.attrs) });
  });

  it('bad input is a DecodeError with a stable code', () => {
    expect(code(() => decodeNlMsgHeader(new Uint8Array(15), 0))).toBe('truncated');
    const short = new Uint8Array(16);
    short[0] = 8; // length 8 < header
    expect(code(() => decodeNlMsgHeader(short, 0))).toBe('nlmsg-bad-length');
    const long = new Uint8Array(16);
    long[0] = 40; // says 40, has 16
    expect(code(() => decodeNlMessage(long, 0))).toBe('truncated');
    expect(code(() => decodeNlMessages(new Uint8Array(20).fill(0).map((_, i) => (i === 0 ? 16 : 0))))).toBe(
      'truncated',
    );
    expect(code(() => decodeNlAttr(Uint8Array.of(2, 0, 1, 0), 0))).toBe('nla-bad-length');
    expect(code(() => decodeNlAttr(Uint8Array.of(12, 0, 1, 0, 0), 0))).toBe('truncated');
    expect(code(() => readAttrU32(attrU16(1, 1), 'IPVS_DEST_ATTR_WEIGHT'))).toBe('nla-bad-size');
    expect(code(() => decodeGenlMessage(Uint8Array.of(1, 1), 0, { length: 2 }))).toBe('genl-truncated');
    expect(code(() => decodeFamily({ cmd: 3, version: 1, attrs: [] }))).toBe('ctrl-unexpected-command');
    expect(code(() => decodeFamily({ cmd: 1, version: 1, attrs: [attrU16(1, 20)] }))).toBe('ctrl-missing-attribute');
  });

  it("decodes the kernel's answer to CTRL_CMD_GETFAMILY IPVS (captured in the VM)", () => {
    const k = loadKernelReplies();
    const replies = decodeNlMessages(fromHex(k.getFamily.reply));
    const ctrl = replies.find((r) => r.type === GENL_ID_CTRL)!;
    const fam = decodeFamily(parseGenlPayload(ctrl.payload));
    expect(fam).toMatchObject({ id: k.family, name: 'IPVS', version: 1 });
    expect(fam.maxAttr).toBeGreaterThan(0);
    const ack = replies.find((r) => r.type === NLMSG_ERROR)!;
    const e = decodeNlMsgErr(ack.payload, 0, { flags: ack.flags, length: ack.payload.length }).value;
    expect([e.error, e.request.seq]).toEqual([0, ctrl.seq]);
    expect(replies.some((r) => r.type === NLMSG_DONE)).toBe(false);
  });
});
