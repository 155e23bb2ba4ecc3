// One hostile or broken peer never hurts the other sessions (issue 11). The FerroLB speaker (`ferrolb bgp`,
// config form, passive on port 179, send hold time 10 s) announces 512 routes to four peers in the
// "router" namespace: BIRD with hold time 3 s, a healthy raw peer with hold time 3 s that enforces its
// hold timer, a storm peer (10,000 ROUTE-REFRESH at once, 10,000 valid and 10,000 malformed UPDATEs,
// 10,000 refreshes again) and a deaf peer (stops reading, keeps sending refreshes); plus 2 × 100 idle
// TCP connections (from an unknown address and from the storm peer's). Checked: BIRD's session stays
// Established with the same 'since' timestamp (BIRD's own uptime) and keeps all routes, the healthy peer
// never sees its hold timer expire, the deaf peer is closed with NOTIFICATION 8 (RFC 9687) by the send
// hold timer, the speaker's RSS stays bounded. Bounded in time (each wait has a limit).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Bird,
  Lab,
  ensureDaemons,
  hostilePeersYaml,
  rssKib,
  sleep,
  startHostilePeer,
  startHostileSpeaker,
  waitFor,
  type Daemon,
  type HostilePeer,
} from '../../../src/lab/bgp/index.ts';

const SPEAKER_AS = 64513;
const BIRD_AS = 64512;
const SEND_HOLD = 10;
const PEERS = {
  bird: { address: '192.0.2.2', asn: BIRD_AS, hold: 3 },
  healthy: { address: '192.0.2.3', asn: 64514, hold: 3 },
  storm: { address: '192.0.2.4', asn: 64515, hold: 90 },
  deaf: { address: '192.0.2.5', asn: 64516, hold: 90 },
};
const UNKNOWN = '192.0.2.6';
/** 512 host routes: 198.51.100.0/24 and 203.0.113.0/24. */
const ANNOUNCE = ['198.51.100', '203.0.113'].flatMap((net) => Array.from({ length: 256 }, (_, i) => `${net}.${i}`));

let lab: Lab;
let nodeNs: string;
let routerNs: string;
let bird: Bird;
let speaker: Daemon;

const startPeer = (role: string, local: string, asn: number, n = 10_000): HostilePeer =>
  startHostilePeer(lab, routerNs, role, '192.0.2.1', local, asn, n);

const speakerEvents = (): string[] =>
  speaker
    .output()
    .split('\n')
    .filter((l) => /^(peer|notification|listening|all routes)\b/.test(l));

beforeAll(async () => {
  ensureDaemons();
  lab = new Lab('fbh');
  nodeNs = await lab.namespace('node');
  routerNs = await lab.namespace('router');
  await lab.link(nodeNs, routerNs, {
    aIpv4: '192.0.2.1/24',
    bIpv4: '192.0.2.2/24',
    aIpv6: '2001:db8::1/64',
    bIpv6: '2001:db8::2/64',
  });
  for (const a of [PEERS.healthy.address, PEERS.storm.address, PEERS.deaf.address, UNKNOWN]) {
    await lab.exec(routerNs, ['ip', 'addr', 'add', `${a}/24`, 'dev', 'veth0']);
  }
  const dir = lab.tmpDir('fbh-speaker');
  const config = join(dir, 'config.yaml');
  writeFileSync(config, hostilePeersYaml(SPEAKER_AS, ['198.51.100.0/24', '203.0.113.0/24'], PEERS));
  speaker = startHostileSpeaker(lab, nodeNs, { config, sendHoldTime: SEND_HOLD, logLevel: 'warn', announce: ANNOUNCE });
  await waitFor(() => speakerEvents().some((l) => l.startsWith('listening')), {
    what: 'speaker listening',
    timeoutMs: 30_000,
    diagnostics: () => speaker.output().slice(-3000),
  });
  bird = await Bird.start(lab, routerNs, {
    localAddress: PEERS.bird.address,
    localAs: BIRD_AS,
    routerId: PEERS.bird.address,
    peerAddress: '192.0.2.1',
    peerAs: SPEAKER_AS,
    families: ['ipv4'],
    holdTime: 3,
  });
}, 120_000);

afterAll(async () => {
  await lab?.destroy();
});

describe('a hostile peer next to healthy sessions', () => {
  it('keeps BIRD (hold 3 s) and a healthy peer Established, closes the deaf peer by send hold timer, bounded memory', async () => {
    const healthy = startPeer('healthy', PEERS.healthy.address, PEERS.healthy.asn);
    const storm = startPeer('storm', PEERS.storm.address, PEERS.storm.asn);
    const deaf = startPeer('deaf', PEERS.deaf.address, PEERS.deaf.asn, 100_000);
    const diagnostics = async (): Promise<string> =>
      `${await bird.diagnostics()}\n--- speaker ---\n${speaker.output().slice(-4000)}\n--- healthy ${JSON.stringify(healthy.events.slice(-3))}` +
      `\n--- storm ${JSON.stringify(storm.events.slice(-3))}\n--- deaf ${JSON.stringify(deaf.events.slice(-3))}`;
    await waitFor(
      async () => {
        const p = await bird.protocol();
        return (
          p.bgpState === 'Established' &&
          p.importedRoutes === ANNOUNCE.length &&
          healthy.has('established') &&
          storm.has('established') &&
          deaf.has('established')
        );
      },
      {
        what: 'all sessions Established and BIRD holding every route',
        timeoutMs: 60_000,
        intervalMs: 100,
        diagnostics,
      },
    );
    await sleep(1500); // the deaf peer reads its initial table before it stops reading
    const since = (await bird.protocol()).sinceMs;
    const pid = speaker.child.pid!;
    const rssBefore = rssKib(pid);
    let rssMax = rssBefore;

    const idleUnknown = startPeer('idle', UNKNOWN, 64517, 100);
    const idleKnown = startPeer('idle', PEERS.storm.address, PEERS.storm.asn, 100);
    for (const p of [storm, deaf, idleUnknown, idleKnown]) p.go();

    // Watch until the storm is over and the deaf peer is gone (bounded), checking BIRD all along.
    const birdSeen: { state: string; since: number; routes: number }[] = [];
    const deadline = Date.now() + 120_000;
    const deafClosedBySpeaker = (): boolean =>
      speakerEvents().some((l) => l.startsWith(`notification sent peer=${PEERS.deaf.address} code=8 subcode=0`));
    while (Date.now() < deadline && !(storm.has('done') && deafClosedBySpeaker())) {
      const p = await bird.protocol();
      birdSeen.push({ state: p.bgpState, since: p.sinceMs, routes: p.importedRoutes });
      rssMax = Math.max(rssMax, rssKib(pid));
      await sleep(250);
    }
    await sleep(4000); // one more hold time after the storm: a late victim would show now
    const p = await bird.protocol();
    birdSeen.push({ state: p.bgpState, since: p.sinceMs, routes: p.importedRoutes });
    rssMax = Math.max(rssMax, rssKib(pid));
    const healthyStats = healthy.events.filter((e) => e['ev'] === 'stats').at(-1);
    console.log(
      `hostile-peer: BIRD polled ${birdSeen.length}×; healthy peer ${JSON.stringify(healthyStats)}; speaker RSS ${rssBefore} kB → max ${rssMax} kB`,
    );

    expect(storm.has('done'), await diagnostics()).toBe(true);
    expect(deafClosedBySpeaker(), await diagnostics()).toBe(true);
    expect(
      speakerEvents().some((l) => l.startsWith(`peer ${PEERS.deaf.address} Idle reason="send hold timer expired`)),
    ).toBe(true);
    // BIRD: Established all along, never re-established (same 'since'), every route still there. BIRD
    // prints its monotonic timestamps as wall time with the offset of the moment, so 'since' jitters by
    // a few ms between calls; a re-establishment moves it by seconds (error wait time 1 s at least).
    expect(
      birdSeen.filter(
        (b) => b.state !== 'Established' || Math.abs(b.since - since) > 500 || b.routes !== ANNOUNCE.length,
      ),
      await diagnostics(),
    ).toEqual([]);
    // The healthy peer: its hold timer never expired, no NOTIFICATION, still connected.
    expect(
      healthy.has('hold-expired') || healthy.has('notification') || healthy.has('closed'),
      await diagnostics(),
    ).toBe(false);
    // The speaker's side: one Established each, and no state change after it.
    for (const a of [PEERS.bird.address, PEERS.healthy.address]) {
      const lines = speakerEvents().filter((l) => l.startsWith(`peer ${a} `));
      const at = lines.findIndex((l) => l === `peer ${a} Established`);
      expect(at, lines.join('\n')).toBeGreaterThanOrEqual(0);
      expect(lines.slice(at + 1), lines.join('\n')).toEqual([]);
    }
    // The storm peer sent only what RFC 7606 handles without a reset: it is still up too.
    expect(storm.has('closed') || storm.has('notification')).toBe(false);
    // Idle connections: the unknown address is turned away; the storm peer's extra ones are refused.
    const idleU = idleUnknown.events.filter((e) => e['ev'] === 'idle').at(-1);
    expect(idleU?.['closedByPeer']).toBe(100);
    const idleK = idleKnown.events.filter((e) => e['ev'] === 'idle').at(-1);
    expect(idleK?.['closedByPeer']).toBe(100);
    // And the speaker holds no socket for them (nor for the deaf peer): only the three live sessions.
    const conns = (await lab.exec(nodeNs, ['ss', '-Htn', 'sport', '=', ':179']))
      .split('\n')
      .filter((l) => l.trim() !== '');
    expect(conns.map((l) => l.split(/\s+/)[0]).sort(), conns.join('\n')).toEqual(['ESTAB', 'ESTAB', 'ESTAB']);
    // BIRD asks for a refresh itself (`reload in`); both sides offer Enhanced Route Refresh, so the resend
    // comes between BoRR and EoRR (RFC 7313): BIRD receives all 512 again and keeps them (none swept).
    const importUpdates = async (): Promise<number> =>
      Number(/Import updates:\s+(\d+)/.exec(await bird.control.command('show protocols all peer1'))?.[1] ?? NaN);
    const before = await importUpdates();
    await bird.control.command('reload in peer1');
    await waitFor(async () => (await importUpdates()) >= before + ANNOUNCE.length, {
      what: 'BIRD receiving the refreshed routes',
      timeoutMs: 30_000,
      intervalMs: 100,
      diagnostics,
    });
    await sleep(500);
    const after = await bird.protocol();
    expect([after.bgpState, after.importedRoutes, Math.abs(after.sinceMs - since) <= 500]).toEqual([
      'Established',
      ANNOUNCE.length,
      true,
    ]);
    // Memory: 50,000 messages in and a deaf peer cost the speaker far less than the ~160 MB the old
    // code used; the bound is generous (the machine is shared), the benchmark measures it.
    expect(rssMax - rssBefore).toBeLessThan(64 * 1024);
  }, 300_000);
});
