// Live malformed-UPDATE test: a raw TCP peer (the test's own bytes: valid messages from the codec's
// encoder, malformations as hand edits) establishes with the FerroLB speaker and sends one malformed
// message per case. Each outcome is checked against RFC 4271 §6 / RFC 4760 §7 / RFC 7606:
//   reset     — the speaker sends NOTIFICATION code/subcode and closes;
//   withdraw  — treat-as-withdraw: no NOTIFICATION, the speaker logs it, the session stays up and still
//               serves its own routes (a ROUTE-REFRESH brings them again);
//   discard   — attribute-discard: as withdraw, but the speaker logs the discarded attribute type.
// The speaker is passive (--passive --listen-port 179); the raw peer connects anew for every case.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../src/bgp/codec/index.ts';
import type { CodecContext, Update } from '../../../src/bgp/codec/index.ts';
import { parseIp } from '../../../src/net/ip.ts';
import {
  AGGREGATOR,
  ATOMIC_AGGREGATE,
  AS_PATH,
  COMMUNITIES,
  LARGE_COMMUNITIES,
  MP_REACH_NLRI,
  MULTI_EXIT_DISC,
  NEXT_HOP,
  OPTIONAL,
  OPTIONAL_TRANSITIVE,
  ORIGIN,
  RawPeer,
  WELL_KNOWN,
  asPath4,
  attr,
  countUpdate,
  ensureDaemons,
  nodeRouterLab,
  rawUpdate,
  startFerroLb,
  u32,
  waitFor,
  type FerroLbSpeaker,
  type NodeRouter,
  type RawMessage,
} from '../../../src/lab/bgp/index.ts';

const CTX: CodecContext = { fourOctetAs: true };
const PEER_AS = 64512;
const SPEAKER_AS = 64513;
const SPEAKER_ROUTE = '198.51.100.10';

let t: NodeRouter;
let speaker: FerroLbSpeaker;
let peer: RawPeer;

const ip = (s: string): bigint => parseIp(s)!.value;
const ORIGIN_IGP = attr(WELL_KNOWN, ORIGIN, [0]);
const PATH = attr(WELL_KNOWN, AS_PATH, asPath4([PEER_AS]));
const NH = attr(WELL_KNOWN, NEXT_HOP, [192, 0, 2, 2]);
const NLRI = [24, 203, 0, 113]; // 203.0.113.0/24
const VALID = [ORIGIN_IGP, PATH, NH];

function openBytes(): Uint8Array {
  return encodeMessage(
    {
      type: 'OPEN',
      version: 4,
      myAsn: PEER_AS,
      holdTime: 90,
      bgpId: Number(ip('192.0.2.2')),
      capabilities: [
        { type: 'MULTIPROTOCOL', afi: 1, safi: 1 },
        { type: 'MULTIPROTOCOL', afi: 2, safi: 1 },
        { type: 'ROUTE_REFRESH' },
        { type: 'FOUR_OCTET_AS', asn: PEER_AS },
      ],
    },
    CTX,
  );
}
const KEEPALIVE = encodeMessage({ type: 'KEEPALIVE' }, CTX);
const REFRESH_V4 = encodeMessage({ type: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: 0 }, CTX);
const CEASE = encodeMessage({ type: 'NOTIFICATION', code: 6, subcode: 2, data: new Uint8Array(0) }, CTX);

const established = (): number => speaker.events().filter((l) => / Established$/.test(l)).length;
const logCount = (event: string): number =>
  speaker
    .output()
    .split('\n')
    .filter((l) => l.includes(`"event":"${event}"`)).length;
const announcesSpeakerRoute = (m: RawMessage): boolean =>
  m.type === 2 &&
  countUpdate(m.bytes).announced > 0 &&
  Buffer.from(m.bytes).includes(Buffer.from([32, 198, 51, 100, 10]));

/** A fresh Established session from the raw peer, with the speaker's route received. */
async function establish(): Promise<void> {
  const before = established();
  for (let attempt = 1; ; attempt++) {
    await peer.connect(t.node.ipv4, t.router.ipv4);
    peer.send(openBytes());
    try {
      await waitFor(
        () => (peer.closed() ? Promise.reject(new Error('closed')) : peer.messages().some((m) => m.type === 1)),
        {
          what: 'the speaker OPEN',
          timeoutMs: 5_000,
          intervalMs: 10,
        },
      );
      break;
    } catch (err) {
      // The speaker may still be in its idle hold after the previous case: try again (bounded).
      if (attempt >= 10)
        throw new Error(
          `no OPEN from the speaker after ${attempt} connections: ${(err as Error).message}\n${peer.diagnostics()}`,
        );
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  peer.send(KEEPALIVE);
  await peer.waitMessage(4, 'the speaker KEEPALIVE');
  await waitFor(() => established() > before, {
    what: 'the speaker Established',
    timeoutMs: 10_000,
    diagnostics: () => speaker.output().slice(-2000),
  });
  await waitFor(() => peer.messages().some(announcesSpeakerRoute), {
    what: 'the speaker route',
    timeoutMs: 10_000,
    diagnostics: () => peer.diagnostics(),
  });
}

/** Ends a case whose session should still be up: check it is, then close it with Cease. */
async function expectSessionUpAndServing(): Promise<void> {
  const updatesBefore = peer.messages().filter(announcesSpeakerRoute).length;
  peer.send(REFRESH_V4);
  await waitFor(() => peer.messages().filter(announcesSpeakerRoute).length > updatesBefore, {
    what: 'the speaker to answer ROUTE-REFRESH with its route',
    timeoutMs: 10_000,
    diagnostics: () => `${peer.diagnostics()}\n${speaker.output().slice(-2000)}`,
  });
  expect(
    peer.messages().filter((m) => m.type === 3),
    'no NOTIFICATION from the speaker',
  ).toHaveLength(0);
  expect(peer.closed()).toBe(false);
  await closeSession();
}

async function closeSession(): Promise<void> {
  const n = established();
  peer.send(CEASE);
  peer.end();
  await waitFor(
    () => {
      const states = speaker.events().filter((l) => l.startsWith('peer '));
      return established() === n && !states.at(-1)?.endsWith(' Established');
    },
    { what: 'the speaker to leave Established', timeoutMs: 10_000, diagnostics: () => speaker.output().slice(-2000) },
  );
}

async function expectReset(code: number, subcode: number): Promise<void> {
  const m = await peer.waitMessage(3, `NOTIFICATION ${code}/${subcode}`);
  const n = decodeMessage(m.bytes, 0, CTX).value;
  expect(n.type).toBe('NOTIFICATION');
  if (n.type !== 'NOTIFICATION') return;
  expect(`${n.code}/${n.subcode}`).toBe(`${code}/${subcode}`);
  await waitFor(() => peer.closed(), { what: 'the speaker to close the connection', timeoutMs: 10_000 });
  await waitFor(
    () =>
      speaker.events().some((l) => l.startsWith('notification sent') && l.includes(`code=${code} subcode=${subcode}`)),
    {
      what: 'the speaker to report the NOTIFICATION',
      timeoutMs: 5_000,
      diagnostics: () => speaker.output().slice(-2000),
    },
  );
  expect(speaker.exited()).toBe(false);
}

async function expectLogged(
  event: 'treat-as-withdraw' | 'attribute-discard',
  before: number,
  attributeType?: number,
): Promise<void> {
  await waitFor(() => logCount(event) > before, {
    what: `the speaker to log ${event}`,
    timeoutMs: 5_000,
    diagnostics: () => speaker.output().slice(-3000),
  });
  if (attributeType !== undefined) {
    const line = speaker
      .output()
      .split('\n')
      .filter((l) => l.includes(`"event":"${event}"`))
      .at(-1)!;
    expect((JSON.parse(line) as { attributes: number[] }).attributes).toContain(attributeType);
  }
}

/** Sends a message and checks the RFC outcome. */
async function sendAndCheck(
  bytes: Uint8Array,
  outcome: ['reset', number, number] | ['withdraw'] | ['discard', number],
): Promise<void> {
  await establish();
  const tw = logCount('treat-as-withdraw');
  const ad = logCount('attribute-discard');
  try {
    peer.send(bytes);
    if (outcome[0] === 'reset') return await expectReset(outcome[1], outcome[2]);
    if (outcome[0] === 'withdraw') await expectLogged('treat-as-withdraw', tw);
    else await expectLogged('attribute-discard', ad, outcome[1]);
    await expectSessionUpAndServing();
  } catch (err) {
    // Leave no session behind for the next case, whatever went wrong in this one.
    if (!peer.closed()) await closeSession().catch(() => {});
    throw err;
  }
}

describe('malformed UPDATEs sent live to the FerroLB speaker (RFC 7606)', () => {
  beforeAll(async () => {
    ensureDaemons();
    t = await nodeRouterLab();
    speaker = startFerroLb(t.lab, t.node.ns, {
      localAddress: t.node.ipv4,
      localAs: SPEAKER_AS,
      routerId: t.node.ipv4,
      peerAddress: t.router.ipv4,
      peerAs: PEER_AS,
      // debug: every occurrence is logged (at warn, the speaker logs a few per reason per minute).
      announce: [SPEAKER_ROUTE],
      listenPort: 179,
      passive: true,
      logLevel: 'debug',
    });
    await speaker.waitEvent(/^listening port=179/, 'the speaker listening');
    peer = RawPeer.start(t.lab, t.router.ns);
  });
  afterAll(async () => {
    await t?.lab.destroy();
  });

  it('the hand-made valid UPDATE is byte-identical to the codec encoding, and is accepted', async () => {
    const codec: Update = {
      type: 'UPDATE',
      withdrawn: [],
      nlri: [{ family: 'ipv4', prefix: ip('203.0.113.0'), length: 24 }],
      attributes: [
        { type: 'ORIGIN', origin: 'IGP' },
        { type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [PEER_AS] }] },
        { type: 'NEXT_HOP', nextHop: ip('192.0.2.2') },
      ],
    };
    const raw = rawUpdate({ attributes: VALID, nlri: NLRI });
    expect(Buffer.from(raw).toString('hex')).toBe(Buffer.from(encodeMessage(codec, CTX)).toString('hex'));
    await establish();
    const tw = logCount('treat-as-withdraw');
    const ad = logCount('attribute-discard');
    peer.send(raw);
    await expectSessionUpAndServing();
    expect(logCount('treat-as-withdraw')).toBe(tw);
    expect(logCount('attribute-discard')).toBe(ad);
  });

  // ---- session reset ---------------------------------------------------------------------------
  it('header length below 19 → NOTIFICATION 1/2 Bad Message Length (RFC 4271 §6.1)', async () => {
    await sendAndCheck(rawUpdate({ attributes: VALID, nlri: NLRI, messageLength: 18 }), ['reset', 1, 2]);
  });
  it('header marker not all ones → NOTIFICATION 1/1 Connection Not Synchronized (RFC 4271 §6.1)', async () => {
    await sendAndCheck(rawUpdate({ attributes: VALID, nlri: NLRI, marker: [...Array(15).fill(0xff), 0] }), [
      'reset',
      1,
      1,
    ]);
  });
  it('Total Path Attribute Length past the end of the message → NOTIFICATION 3/1 Malformed Attribute List', async () => {
    await sendAndCheck(rawUpdate({ attributes: VALID, nlri: NLRI, totalAttributeLength: 200 }), ['reset', 3, 1]);
  });
  it('IPv4 NLRI with prefix length 33 → NOTIFICATION 3/10 Invalid Network Field (RFC 7606 §5.3)', async () => {
    await sendAndCheck(rawUpdate({ attributes: VALID, nlri: [33, 203, 0, 113, 1, 0] }), ['reset', 3, 10]);
  });
  it('unrecognized well-known attribute → NOTIFICATION 3/2 (RFC 4271 §6.3)', async () => {
    await sendAndCheck(rawUpdate({ attributes: [...VALID, attr(WELL_KNOWN, 250, [1, 2])], nlri: NLRI }), [
      'reset',
      3,
      2,
    ]);
  });
  it('MP_REACH_NLRI with an IPv6 next hop of 15 octets → NOTIFICATION 3/9 (RFC 7606 §7.11, RFC 4760 §7)', async () => {
    const mp = attr(OPTIONAL, MP_REACH_NLRI, [0, 2, 1, 15, ...Array(15).fill(0x20), 0, 128, ...Array(16).fill(0x20)]);
    await sendAndCheck(rawUpdate({ attributes: [ORIGIN_IGP, PATH, mp] }), ['reset', 3, 9]);
  });
  it('MP_REACH_NLRI with an IPv6 prefix length of 129 → NOTIFICATION 3/9 (RFC 7606 §5.3, RFC 4760 §7)', async () => {
    const nh = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 2];
    const mp = attr(OPTIONAL, MP_REACH_NLRI, [0, 2, 1, 16, ...nh, 0, 129, ...Array(17).fill(0x20)]);
    await sendAndCheck(rawUpdate({ attributes: [ORIGIN_IGP, PATH, mp] }), ['reset', 3, 9]);
  });
  it('MP_REACH_NLRI twice → NOTIFICATION 3/1 Malformed Attribute List (RFC 7606 §3 (g))', async () => {
    const nh = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 2];
    const mp = attr(OPTIONAL, MP_REACH_NLRI, [0, 2, 1, 16, ...nh, 0, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 7]);
    await sendAndCheck(rawUpdate({ attributes: [ORIGIN_IGP, PATH, mp, mp] }), ['reset', 3, 1]);
  });

  // ---- treat-as-withdraw -------------------------------------------------------------------------
  it('missing ORIGIN (well-known mandatory) → treat-as-withdraw (RFC 7606 §3 (d))', async () => {
    await sendAndCheck(rawUpdate({ attributes: [PATH, NH], nlri: NLRI }), ['withdraw']);
  });
  it('missing NEXT_HOP with IPv4 NLRI → treat-as-withdraw (RFC 7606 §3 (d))', async () => {
    await sendAndCheck(rawUpdate({ attributes: [ORIGIN_IGP, PATH], nlri: NLRI }), ['withdraw']);
  });
  it('ORIGIN with an undefined value → treat-as-withdraw (RFC 7606 §7.1)', async () => {
    await sendAndCheck(rawUpdate({ attributes: [attr(WELL_KNOWN, ORIGIN, [7]), PATH, NH], nlri: NLRI }), ['withdraw']);
  });
  it('ORIGIN flagged optional (flags conflict) → treat-as-withdraw (RFC 7606 §3 (c))', async () => {
    await sendAndCheck(rawUpdate({ attributes: [attr(OPTIONAL_TRANSITIVE, ORIGIN, [0]), PATH, NH], nlri: NLRI }), [
      'withdraw',
    ]);
  });
  it('MULTI_EXIT_DISC of 2 octets → treat-as-withdraw (RFC 7606 §7.4)', async () => {
    await sendAndCheck(rawUpdate({ attributes: [...VALID, attr(OPTIONAL, MULTI_EXIT_DISC, [0, 5])], nlri: NLRI }), [
      'withdraw',
    ]);
  });
  it('COMMUNITIES of 3 octets → treat-as-withdraw (RFC 7606 §7.8)', async () => {
    await sendAndCheck(
      rawUpdate({ attributes: [...VALID, attr(OPTIONAL_TRANSITIVE, COMMUNITIES, [0xfd, 0xe8, 0])], nlri: NLRI }),
      ['withdraw'],
    );
  });
  it('LARGE_COMMUNITIES of 8 octets → treat-as-withdraw (RFC 8092 §6)', async () => {
    await sendAndCheck(
      rawUpdate({
        attributes: [...VALID, attr(OPTIONAL_TRANSITIVE, LARGE_COMMUNITIES, [...u32(64512), ...u32(1)])],
        nlri: NLRI,
      }),
      ['withdraw'],
    );
  });
  it('last attribute overrunning the Total Path Attribute Length → treat-as-withdraw (RFC 7606 §4)', async () => {
    // COMMUNITIES claims 8 octets but the attribute list ends after 4 of them; NLRI still locatable.
    const comm = attr(OPTIONAL_TRANSITIVE, COMMUNITIES, u32(0xfde80001), 8);
    await sendAndCheck(rawUpdate({ attributes: [...VALID, comm], nlri: NLRI }), ['withdraw']);
  });

  // ---- attribute-discard -------------------------------------------------------------------------
  it('AGGREGATOR of 5 octets → attribute-discard (RFC 7606 §7.7)', async () => {
    await sendAndCheck(
      rawUpdate({ attributes: [...VALID, attr(OPTIONAL_TRANSITIVE, AGGREGATOR, [0, 0, 0xfb, 0xf0, 192])], nlri: NLRI }),
      ['discard', AGGREGATOR],
    );
  });
  it('ATOMIC_AGGREGATE of 1 octet → attribute-discard (RFC 7606 §7.6)', async () => {
    await sendAndCheck(rawUpdate({ attributes: [...VALID, attr(WELL_KNOWN, ATOMIC_AGGREGATE, [1])], nlri: NLRI }), [
      'discard',
      ATOMIC_AGGREGATE,
    ]);
  });
  it('ORIGIN twice → the second occurrence discarded, UPDATE processed (RFC 7606 §3 (g))', async () => {
    await sendAndCheck(rawUpdate({ attributes: [...VALID, attr(WELL_KNOWN, ORIGIN, [1])], nlri: NLRI }), [
      'discard',
      ORIGIN,
    ]);
  });
});
