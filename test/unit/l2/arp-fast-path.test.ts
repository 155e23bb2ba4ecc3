// The ARP fast path decides from the octets exactly what respond() decides from the decoded frame: the
// same reply bytes or the same ignore reason, and FAST_PATH_SLOW (hand over to respond()) for the rest.
// Checked on the captured Linux/arping frames and on every one-field variation of a request.
import { describe, expect, it } from 'vitest';
import { encodeL2Frame, macBytes, type ArpPacket } from '../../../src/l2/codec/index.ts';
import {
  ArpFastPath,
  ARP_REPLY_LENGTH,
  FAST_PATH_REPLY,
  FAST_PATH_SLOW,
  IGNORE_REASONS,
  respond,
  type InterfaceFacts,
} from '../../../src/l2/core/index.ts';
import { loadCapturedFrames } from './fixtures.ts';

const OUR = '02:00:5e:10:00:aa';
const CLIENT = '02:00:5e:10:00:01';
const OTHER = '02:00:5e:10:00:bb';
const IFACE: InterfaceFacts = { name: 'eth0', index: 2, mac: OUR, up: true, noArp: false };
const OWNED = new Set(['192.0.2.10', '2001:db8::10', '192.0.2.1']);
const ANYWHERE = new Set([...OWNED, '192.0.2.20']);

function arpFrame(arp: Partial<ArpPacket>, ethDst = 'ff:ff:ff:ff:ff:ff', ethSrc = CLIENT): Uint8Array {
  return encodeL2Frame({
    ethernet: { destination: ethDst, source: ethSrc, etherType: 0x0806 },
    payload: {
      kind: 'arp',
      arp: {
        operation: 1,
        senderHardwareAddress: CLIENT,
        senderProtocolAddress: '198.51.100.1',
        targetHardwareAddress: '00:00:00:00:00:00',
        targetProtocolAddress: '192.0.2.10',
        ...arp,
      },
    },
  });
}

interface Case {
  name: string;
  frame: Uint8Array;
  outgoing?: boolean;
  vlanTagged?: boolean;
  iface?: InterfaceFacts;
  owned?: ReadonlySet<string>;
}

/** Runs both deciders on `c` (the fast one at an offset inside a dirty buffer) and compares them. */
function compare(c: Case): number {
  const iface = c.iface ?? IFACE;
  const owned = c.owned ?? OWNED;
  const fast = new ArpFastPath(iface, macBytes(iface.mac), owned, ANYWHERE);
  const arena = new Uint8Array(c.frame.length + 100).fill(0xee);
  arena.set(c.frame, 37);
  const out = new Uint8Array(ARP_REPLY_LENGTH).fill(0x55);
  const r = fast.decide(arena, 37, c.frame.length, c.outgoing ?? false, c.vlanTagged ?? false, out);
  const d = respond({
    frame: c.frame,
    iface,
    owned,
    ownedElsewhere: (ip) => ANYWHERE.has(ip),
    outgoing: c.outgoing,
    vlanTagged: c.vlanTagged,
  });
  if (r === FAST_PATH_REPLY) {
    expect(d.action, c.name).toBe('reply');
    if (d.action === 'reply') {
      expect(out, c.name).toEqual(d.frame);
      expect(fast.ip, c.name).toBe(d.ip);
    }
  } else if (r >= 0) {
    expect(d, c.name).toMatchObject({ action: 'ignore', reason: IGNORE_REASONS[r] });
  } else {
    expect(r, c.name).toBe(FAST_PATH_SLOW);
    // Only what the fast path does not decide is handed over.
    const handedOver =
      d.action === 'conflict' || (d.action === 'ignore' && ['malformed', 'not-arp-or-ndp'].includes(d.reason));
    expect(handedOver || c.frame[12] !== 0x08 || c.frame[13] !== 0x06 || !(c.iface?.up ?? true), c.name).toBe(true);
  }
  return r;
}

describe('ArpFastPath', () => {
  it('answers a request for an owned IP with the bytes respond() builds', () => {
    expect(compare({ name: 'broadcast request', frame: arpFrame({}) })).toBe(FAST_PATH_REPLY);
    expect(compare({ name: 'unicast request (NUD)', frame: arpFrame({}, OUR) })).toBe(FAST_PATH_REPLY);
    expect(
      compare({ name: 'padded to 60 octets', frame: new Uint8Array([...arpFrame({}), ...new Uint8Array(18)]) }),
    ).toBe(FAST_PATH_REPLY);
    expect(compare({ name: 'probe (sender 0.0.0.0)', frame: arpFrame({ senderProtocolAddress: '0.0.0.0' }) })).toBe(
      FAST_PATH_REPLY,
    );
  });

  it('gives the same ignore reasons as respond()', () => {
    const reason = (c: Case): string | undefined => IGNORE_REASONS[compare(c)];
    expect(reason({ name: 'not owned', frame: arpFrame({ targetProtocolAddress: '192.0.2.99' }) })).toBe('not-owned');
    expect(reason({ name: 'owned elsewhere', frame: arpFrame({ targetProtocolAddress: '192.0.2.20' }) })).toBe(
      'wrong-interface',
    );
    expect(reason({ name: 'reply between others', frame: arpFrame({ operation: 2 }, OTHER) })).toBe('not-request');
    expect(reason({ name: 'unicast to another host', frame: arpFrame({}, OTHER) })).toBe('not-for-us');
    expect(reason({ name: 'our own source', frame: arpFrame({}, undefined, OUR) })).toBe('own-frame');
    expect(reason({ name: 'our own sender', frame: arpFrame({ senderHardwareAddress: OUR }) })).toBe('own-frame');
    expect(reason({ name: 'outgoing', frame: arpFrame({}), outgoing: true })).toBe('own-frame');
    expect(reason({ name: 'tag stripped by the kernel', frame: arpFrame({}), vlanTagged: true })).toBe('vlan-tagged');
  });

  it('hands conflicts, malformed frames, NDP, frame-tagged VLANs and unusable interfaces to respond()', () => {
    const slow: Case[] = [
      { name: 'conflict: another MAC announces an owned IP', frame: arpFrame({ senderProtocolAddress: '192.0.2.1' }) },
      { name: 'truncated', frame: arpFrame({}).subarray(0, 41) },
      { name: 'hardware type 6', frame: Uint8Array.from(arpFrame({}), (b, i) => (i === 15 ? 6 : b)) },
      { name: 'protocol length 16', frame: Uint8Array.from(arpFrame({}), (b, i) => (i === 19 ? 16 : b)) },
      { name: 'interface down', frame: arpFrame({}), iface: { ...IFACE, up: false } },
    ];
    for (const c of slow) expect(compare(c), c.name).toBe(FAST_PATH_SLOW);
  });

  it('agrees with respond() on every captured frame and on every octet of a request changed', () => {
    let decided = 0;
    for (const f of loadCapturedFrames().values()) {
      for (const owned of [OWNED, new Set(['192.0.2.2']), new Set(['198.51.100.2', '192.0.2.99'])])
        if (compare({ name: f.name, frame: f.bytes, owned }) !== FAST_PATH_SLOW) decided++;
    }
    expect(decided).toBeGreaterThan(8);
    const base = arpFrame({});
    const outcomes = new Set<number>();
    for (let i = 0; i < base.length; i++) {
      for (const v of [0x00, 0x01, 0x02, 0xff]) {
        const frame = Uint8Array.from(base);
        frame[i] = v;
        outcomes.add(compare({ name: `octet ${i} = ${v}`, frame }));
      }
    }
    expect(outcomes).toContain(FAST_PATH_REPLY);
    expect(outcomes).toContain(FAST_PATH_SLOW);
    expect(outcomes.size).toBeGreaterThan(4);
  });
});
