// The speaker against two hand-driven peers on loopback: config → sessions, announcements → routes,
// config changes diffed without flapping unchanged peers, a removed peer closed with Cease.
import { afterEach, describe, expect, it } from 'vitest';
import type { BgpAdvertisement, Peer } from '../../../../src/config/model.ts';
import { formatPrefix } from '../../../../src/bgp/prefix.ts';
import { EventEmitter } from 'node:events';
import type { BfdSessionOptions } from '../../../../src/bgp/bfd/index.ts';
import type { BfdLike } from '../../../../src/bgp/speaker/bfd-link.ts';
import { BgpSpeaker } from '../../../../src/bgp/speaker/speaker.ts';
import { eventually, peerOpen, rawServer } from '../session/raw-peer.ts';
import type { RawPeer } from '../session/raw-peer.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function peer(name: string, port: number, over: Partial<Peer> = {}): Peer {
  return {
    name,
    myASN: 64512,
    peerASN: 64513,
    peerAddress: '127.0.0.1',
    peerPort: port,
    holdTime: 90,
    keepaliveTime: 30,
    ebgpMultiHop: false,
    nodeSelectors: [],
    ...over,
  };
}

function adv(over: Partial<BgpAdvertisement> = {}): BgpAdvertisement {
  return {
    name: 'adv',
    pools: ['pool-a'],
    aggregationLength: 32,
    aggregationLengthV6: 128,
    communities: [],
    peers: [],
    nodeSelectors: [],
    ...over,
  };
}

async function established(p: RawPeer): Promise<void> {
  await p.next('OPEN');
  p.send(peerOpen());
  p.send({ type: 'KEEPALIVE' });
  await p.next('KEEPALIVE');
}

describe('BgpSpeaker', () => {
  it('peers, announces per advertisement, and diffs config changes without flapping', async () => {
    const s1 = await rawServer();
    const s2 = await rawServer();
    const speaker = new BgpSpeaker({
      node: { name: 'node-1', labels: {}, ipv4: '198.51.100.1' },
      routerId: '192.0.2.1',
    });
    cleanups.push(async () => {
      await speaker.stop();
      await s1.close();
      await s2.close();
    });
    const peers = [peer('p1', s1.port), peer('p2', s2.port)];
    speaker.setConfig({ peers, bgpAdvertisements: [adv()] });
    speaker.setAnnouncements([
      { ip: '203.0.113.10', pool: 'pool-a' },
      { ip: '203.0.113.11', pool: 'other-pool' },
    ]);
    await speaker.start();
    const [r1, r2] = [await s1.accept(), await s2.accept()];
    await Promise.all([established(r1), established(r2)]);
    for (const r of [r1, r2]) {
      const u = await r.next('UPDATE');
      expect(u.nlri.map(formatPrefix)).toEqual(['203.0.113.10/32']);
    }

    // p2 removed, advertisement now with a community: p1 keeps its session and only gets the change.
    const community = ((64512 << 16) | 42) >>> 0;
    const p1Session = speaker.sessions().get('p1');
    speaker.setConfig({
      peers: [peers[0] as Peer],
      bgpAdvertisements: [adv({ communities: [{ kind: 'standard', value: community }] })],
    });
    const cease = await r2.next('NOTIFICATION');
    expect([cease.code, cease.subcode]).toEqual([6, 3]); // Peer De-configured
    expect(speaker.sessions().get('p1')).toBe(p1Session);
    // Skip End-of-RIB markers, then the re-announcement with the community.
    let u = await r1.next('UPDATE');
    while (u.nlri.length === 0) u = await r1.next('UPDATE');
    expect(u.nlri.map(formatPrefix)).toEqual(['203.0.113.10/32']);
    expect(u.attributes).toContainEqual({ type: 'COMMUNITIES', communities: [community] });
    expect(r1.received.filter((m) => m.type === 'OPEN' || m.type === 'NOTIFICATION')).toEqual([]);
    expect(r1.closed).toBe(false);

    // Withdraw by announcing nothing.
    speaker.setAnnouncements([]);
    const w = await r1.next('UPDATE');
    expect(w.withdrawn.map(formatPrefix)).toEqual(['203.0.113.10/32']);
  });

  it('a changed peer (hold time) gets a new session', async () => {
    const s1 = await rawServer();
    const speaker = new BgpSpeaker({ node: { name: 'n', labels: {}, ipv4: '198.51.100.1' } });
    cleanups.push(async () => {
      await speaker.stop();
      await s1.close();
    });
    speaker.setConfig({ peers: [peer('p1', s1.port)], bgpAdvertisements: [adv()] });
    await speaker.start();
    const first = await s1.accept();
    await established(first);
    const before = speaker.sessions().get('p1');
    speaker.setConfig({ peers: [peer('p1', s1.port, { holdTime: 30 })], bgpAdvertisements: [adv()] });
    const n = await first.next('NOTIFICATION');
    expect([n.code, n.subcode]).toEqual([6, 6]); // Other Configuration Change
    const second = await s1.accept();
    const open = await second.next('OPEN');
    expect(open.holdTime).toBe(30);
    expect(speaker.sessions().get('p1')).not.toBe(before);
  });

  it('node label changes select peers again; a peer that no longer applies is de-configured', async () => {
    const s1 = await rawServer();
    const node = { name: 'n', labels: { rack: 'a' }, ipv4: '198.51.100.1' };
    const speaker = new BgpSpeaker({ node, routerId: '192.0.2.1' });
    cleanups.push(async () => {
      await speaker.stop();
      await s1.close();
    });
    const rackA = [{ matchLabels: { rack: 'a' }, matchExpressions: [] }];
    speaker.setConfig({ peers: [peer('p1', s1.port, { nodeSelectors: rackA })], bgpAdvertisements: [adv()] });
    await speaker.start();
    const r = await s1.accept();
    await established(r);
    speaker.setNode({ ...node, labels: { rack: 'a', zone: 'z1' } }); // still matches: kept
    expect(speaker.sessions().size).toBe(1);
    speaker.setNode({ ...node, labels: { rack: 'b' } });
    expect(speaker.sessions().size).toBe(0);
    const n = await r.next('NOTIFICATION');
    expect([n.code, n.subcode]).toEqual([6, 3]);
    expect(r.received.filter((m) => m.type === 'OPEN')).toEqual([]);
  });

  it('reports a peer it cannot run instead of throwing', () => {
    const speaker = new BgpSpeaker({ node: { name: 'n', labels: {} } });
    speaker.setConfig({ peers: [peer('no-router-id', 1)], bgpAdvertisements: [] });
    expect(speaker.problems).toEqual([{ peer: 'no-router-id', reason: expect.stringMatching(/router ID/) }]);
    expect(speaker.sessions().size).toBe(0);
  });

  it('BFD down tears the BGP session down at once', async () => {
    const s1 = await rawServer();
    class FakeBfd extends EventEmitter implements BfdLike {
      started = false;
      stopped = false;
      readonly opts: BfdSessionOptions;
      constructor(opts: BfdSessionOptions) {
        super();
        this.opts = opts;
      }
      async start(): Promise<void> {
        this.started = true;
      }
      stop(): void {
        this.stopped = true;
      }
    }
    const made: FakeBfd[] = [];
    const speaker = new BgpSpeaker({
      node: { name: 'n', labels: {}, ipv4: '198.51.100.1' },
      routerId: '192.0.2.1',
      bfdFactory: async () => (opts) => {
        const b = new FakeBfd(opts);
        made.push(b);
        return b;
      },
    });
    cleanups.push(async () => {
      await speaker.stop();
      await s1.close();
    });
    const profile = {
      name: 'fast',
      receiveInterval: 100,
      transmitInterval: 100,
      detectMultiplier: 3,
      echoInterval: 50,
      echoMode: false,
      passiveMode: false,
      minimumTtl: 254,
    };
    speaker.setConfig({
      peers: [peer('p1', s1.port, { bfdProfile: 'fast' })],
      bgpAdvertisements: [adv()],
      bfdProfiles: [profile],
    });
    const bfdEvents: unknown[] = [];
    speaker.on('bfd', (e: unknown) => bfdEvents.push(e));
    await speaker.start();
    const r = await s1.accept();
    await established(r);
    const session = speaker.sessions().get('p1');
    await eventually(() => made.length === 1 && made[0]?.started === true, 'BFD started once Established');
    expect(made[0]?.opts).toMatchObject({ local: '127.0.0.1', peer: '127.0.0.1', profile });
    made[0]?.emit('down', {
      from: 'Up',
      to: 'Down',
      diag: 1,
      diagName: 'Control Detection Time Expired',
      local: '127.0.0.1',
      peer: '127.0.0.1',
    });
    expect(session?.isEstablished).toBe(false);
    expect(made[0]?.stopped).toBe(true);
    expect(bfdEvents).toEqual([{ peer: 'p1', state: 'down', diag: 'Control Detection Time Expired' }]);
    const n = await r.next('NOTIFICATION');
    expect(n.code).toBe(6);
  });
});
