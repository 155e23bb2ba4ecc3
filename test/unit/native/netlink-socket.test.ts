// The addon's NetlinkSocket against this machine's kernel (generic netlink needs no privilege): the
// controller's family lookup (ACK), a dump that ends with NLMSG_DONE, an error carrying errno and the failing
// request's sequence number, and the caller mistakes it refuses.
import { describe, expect, it } from 'vitest';
import { nativeAddon, NETLINK_GENERIC, NetlinkSocket } from '../../../src/native/index.ts';
import {
  decodeFamily,
  encodeGenlMessage,
  GENL_ID_CTRL,
  getFamilyRequest,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  parseGenlPayload,
  type NlMessage,
} from '../../../src/netlink/codec/index.ts';

const lookup = (s: NetlinkSocket, name: string, flags = NLM_F_ACK): NlMessage => ({
  type: GENL_ID_CTRL,
  flags: NLM_F_REQUEST | flags,
  seq: s.nextSeq(),
  pid: 0,
  payload: encodeGenlMessage(getFamilyRequest(name)),
});

describe('NetlinkSocket (NETLINK_GENERIC, real kernel)', () => {
  it('resolves the controller family by name and gets the ACK', () => {
    const s = new NetlinkSocket({ protocol: NETLINK_GENERIC });
    expect(s.portId).toBeGreaterThan(0);
    const req = lookup(s, 'nlctrl');
    const { replies, failures } = s.transact([req]);
    expect(failures).toEqual([]);
    expect(replies.map((r) => [r.type, r.seq])).toEqual([
      [GENL_ID_CTRL, req.seq],
      [NLMSG_ERROR, req.seq],
    ]);
    expect(decodeFamily(parseGenlPayload(replies[0]!.payload))).toMatchObject({ id: GENL_ID_CTRL, name: 'nlctrl' });
    s.close();
  });

  it('a dump runs to NLMSG_DONE', () => {
    const s = new NetlinkSocket({ protocol: NETLINK_GENERIC });
    const req: NlMessage = {
      type: GENL_ID_CTRL,
      flags: NLM_F_REQUEST | NLM_F_DUMP,
      seq: s.nextSeq(),
      pid: 0,
      payload: encodeGenlMessage({ cmd: 3, version: 1, attrs: [] }),
    };
    const { replies } = s.transact([req]);
    expect(replies.at(-1)!.type).toBe(NLMSG_DONE);
    const names = replies
      .filter((r) => r.type === GENL_ID_CTRL)
      .map((r) => decodeFamily(parseGenlPayload(r.payload)).name);
    expect(names).toContain('nlctrl');
    s.close();
  });

  it('several requests in one sendmsg: a failure names its errno and sequence, the others are answered', () => {
    const s = new NetlinkSocket({ protocol: NETLINK_GENERIC });
    const a = lookup(s, 'nlctrl', 0); // no ACK asked: answered by its reply only
    const bad = lookup(s, 'ferrolb-none', 0); // no ACK asked: answered only because it fails
    // A name longer than GENL_NAMSIZ: EINVAL with the kernel's extended-ACK message.
    const tooLong = lookup(s, 'ferrolb-no-such-family', 0);
    const last = lookup(s, 'nlctrl');
    const { replies, failures } = s.transact([a, bad, tooLong, last]);
    expect(failures).toEqual([
      { seq: bad.seq, errno: 2, code: 'ENOENT' },
      { seq: tooLong.seq, errno: 22, code: 'EINVAL', message: expect.any(String) },
    ]);
    expect(replies.filter((r) => r.type === GENL_ID_CTRL).map((r) => r.seq)).toEqual([a.seq, last.seq]);
    s.close();
  });

  it('refuses caller mistakes and a closed socket', () => {
    const N = nativeAddon().NetlinkSocket;
    expect(() => new N({ protocol: 99 })).toThrow(/protocol/);
    const s = new N({ protocol: NETLINK_GENERIC });
    expect(() => s.exchange(Uint8Array.of(40, 0, 0, 0, 16, 0, 1, 0))).toThrow(/malformed nlmsghdr/);
    s.close();
    expect(() => s.exchange(new Uint8Array(16))).toThrow(/EBADF/);
  });
});
