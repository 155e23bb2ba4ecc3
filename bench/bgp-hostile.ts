// BGP benchmark rows for issue 11 (one hostile peer never hurts the others). The FerroLB speaker (`ferrolb
// bgp`, config form, passive) announces 768 IPv4 /32s to raw peers in namespaces (fbh-*), all run by
// src/lab/bgp/hostile-peer-process.ts:
//  - KEEPALIVE gap: the largest gap between KEEPALIVEs a healthy peer with hold time 3 s (keepalive
//    1 s) sees while another peer sends 10,000 ROUTE-REFRESH at once; baseline: the same window length
//    with no storm, same run. Goal ≤ 1.5 s (issue 11 measured 4.6 s before the fix: both sessions died).
//  - RSS growth: the speaker's resident set growth while a peer that never reads sends 20,000
//    ROUTE-REFRESH (send hold time long enough not to close it during the window); baseline: the growth
//    over the same window length with no hostile peer, same run. Goal ≤ 16 MB (issue 11: ~160 MB).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Lab,
  hostilePeersYaml,
  rssKib,
  sleep,
  startHostilePeer,
  startHostileSpeaker,
  waitFor,
  type HostilePeer,
} from '../src/lab/bgp/index.ts';

const SPEAKER_AS = 64513;
const PEERS = {
  healthy: { address: '192.0.2.3', asn: 64514, hold: 3 },
  storm: { address: '192.0.2.4', asn: 64515, hold: 90 },
  deaf: { address: '192.0.2.5', asn: 64516, hold: 90 },
};
/** All 768 IPv4 documentation /32s, as in issue 11. */
const ANNOUNCE = ['192.0.2', '198.51.100', '203.0.113'].flatMap((net) =>
  Array.from({ length: 256 }, (_, i) => `${net}.${i}`),
);
const WINDOW_MS = 8_000;

/** Largest gap between consecutive KEEPALIVEs received in [from, to] (the one crossing `from` counts). */
function maxGap(p: HostilePeer, from: number, to: number): number {
  const at = p.events.filter((e) => e['ev'] === 'keepalive').map((e) => e['at'] as number);
  let max = 0;
  for (let i = 1; i < at.length; i++) if (at[i]! >= from && at[i - 1]! <= to) max = Math.max(max, at[i]! - at[i - 1]!);
  // A gap still open at `to` counts too.
  const last = at.filter((t) => t <= to).at(-1);
  if (last !== undefined) max = Math.max(max, to - last);
  return max;
}

/** RSS growth (max over the window minus the start), sampled every 100 ms. */
async function rssGrowth(pid: number, ms: number): Promise<number> {
  const start = rssKib(pid);
  let max = start;
  for (const end = Date.now() + ms; Date.now() < end;) {
    await sleep(100);
    max = Math.max(max, rssKib(pid));
  }
  return (max - start) / 1024;
}

export async function hostileRows(): Promise<string[]> {
  const lab = new Lab('fbh');
  try {
    const nodeNs = await lab.namespace('node');
    const routerNs = await lab.namespace('router');
    await lab.link(nodeNs, routerNs, {
      aIpv4: '192.0.2.1/24',
      bIpv4: '192.0.2.2/24',
      aIpv6: '2001:db8::1/64',
      bIpv6: '2001:db8::2/64',
    });
    for (const p of Object.values(PEERS))
      await lab.exec(routerNs, ['ip', 'addr', 'add', `${p.address}/24`, 'dev', 'veth0']);
    const config = join(lab.tmpDir('fbh-bench'), 'config.yaml');
    writeFileSync(config, hostilePeersYaml(SPEAKER_AS, ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'], PEERS));
    const speaker = startHostileSpeaker(lab, nodeNs, {
      config,
      sendHoldTime: 600,
      logLevel: 'error',
      announce: ANNOUNCE,
    });
    await waitFor(() => /^listening/m.test(speaker.output()), {
      what: 'speaker listening',
      timeoutMs: 30_000,
      diagnostics: () => speaker.output().slice(-2000),
    });
    const start = (role: string, p: { address: string; asn: number }, n: number): HostilePeer =>
      startHostilePeer(lab, routerNs, role, '192.0.2.1', p.address, p.asn, n);
    const healthy = start('healthy', PEERS.healthy, 0);
    const storm = start('refresh', PEERS.storm, 10_000);
    const deaf = start('deaf', PEERS.deaf, 20_000);
    await waitFor(() => [healthy, storm, deaf].every((p) => p.has('established')), {
      what: 'three sessions Established',
      timeoutMs: 60_000,
      diagnostics: () => speaker.output().slice(-2000),
    });
    await sleep(2_000); // initial tables read (the deaf peer reads until "go")
    const pid = speaker.child.pid!;

    // Baselines: a quiet window of the same length.
    const quietFrom = Date.now();
    const quietRss = await rssGrowth(pid, WINDOW_MS);
    const quietGap = maxGap(healthy, quietFrom, Date.now());

    // The refresh storm.
    const stormFrom = Date.now();
    storm.go();
    await sleep(WINDOW_MS);
    const stormGap = maxGap(healthy, stormFrom, Date.now());
    const survived = !healthy.has('hold-expired') && !healthy.has('closed');

    // The deaf peer.
    deaf.go();
    const deafRss = await rssGrowth(pid, WINDOW_MS);
    const deafSent = deaf.events.find((e) => e['ev'] === 'deaf-sent')?.['refreshes'];
    const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
    return [
      'one hostile peer next to a healthy one (768 /32s announced; issue 11)',
      `  largest KEEPALIVE gap at a healthy hold-3 s peer during 10,000 ROUTE-REFRESH: ${fmt(stormGap)} (goal ≤ 1.5 s; before the fix 4.6 s)` +
        `  [same run, no storm: ${fmt(quietGap)}; healthy session ${survived ? 'stayed up' : 'WENT DOWN'}]`,
      `  speaker RSS growth with a peer that never reads, ${String(deafSent ?? '?')} ROUTE-REFRESH: ${deafRss.toFixed(1)} MB (goal ≤ 16 MB; before ~160 MB)` +
        `  [same run, quiet window: ${quietRss.toFixed(1)} MB]`,
    ];
  } finally {
    await lab.destroy();
  }
}

// `node bench/bgp-hostile.ts`: these rows alone (`npm run bench -- bgp` prints them after the others).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const l of await hostileRows()) console.log(l);
}
