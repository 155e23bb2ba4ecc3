// Runs INSIDE the benchmark VM, in a fresh network namespace per case (IPVS tables, ipsets and
// interfaces are per namespace, so every case starts empty): `node bench/ipvs-guest.ts CASE N`, prints
// one JSON line of figures. Cases:
//   raw      the same state written by the tools themselves: `ip -batch` (addresses), `ipset restore`,
//            `ipvsadm -R` — the baseline
//   syncer   IpvsSyncer: full sync from empty, then single changes (one endpoint of one Service)
//   per-entry  kube-proxy's way: one `ipset add` process per member (500 timed, the rest extrapolated)
import { performance } from 'node:perf_hooks';
import { fixtureDesired } from '../src/lab/ipvs-fixture.ts';
import {
  IpvsSyncer,
  buildDesired,
  emptyKernelState,
  mustRun,
  planChanges,
  renderAddressAdds,
  renderIpsetAdds,
  renderIpvsBatch,
  spawnRunner,
} from '../src/ipvs/index.ts';
import { systemClock } from '../src/time/index.ts';

const [kind, nText] = process.argv.slice(2);
const N = Number(nText);
const IFACE = 'fiv-bench0';
const node = { nodeName: 'fiv-node', nodeIPs: [], defaultScheduler: 'rr' as const };
const sh = (cmd: string, args: string[], stdin?: string): Promise<string> => mustRun(spawnRunner, cmd, args, stdin);
const fullPlan = () =>
  planChanges({
    desired: buildDesired(fixtureDesired(N), node).state,
    observed: emptyKernelState(),
    draining: new Map(),
    now: 0,
    drainTimeoutMs: 0,
  });

async function raw(): Promise<Record<string, number>> {
  const p = fullPlan();
  await sh('ip', ['link', 'add', IFACE, 'type', 'dummy']);
  let t = performance.now();
  await sh('ip', ['-batch', '-'], renderAddressAdds(p, IFACE));
  const ipMs = performance.now() - t;
  t = performance.now();
  await sh('ipset', ['restore', '-exist'], renderIpsetAdds(p));
  const ipsetMs = performance.now() - t;
  t = performance.now();
  await sh('ipvsadm', ['-R'], renderIpvsBatch(p));
  const ipvsMs = performance.now() - t;
  const members = p.ipsetAdd.length;
  return { ipMs, ipsetMs, ipvsMs, totalMs: ipMs + ipsetMs + ipvsMs, members, lines: p.ipvs.length };
}

async function syncer(): Promise<Record<string, number>> {
  const s = new IpvsSyncer(
    { clock: systemClock },
    { interface: IFACE, nodeName: 'fiv-node', firewall: false, sysctls: false },
  );
  let t = performance.now();
  const full = await s.sync(fixtureDesired(N));
  const fullMs = performance.now() - t;
  if (full.error) throw new Error(full.error);
  const singles: number[] = [];
  const d = fixtureDesired(N);
  for (let k = 0; k < 5; k++) {
    // One endpoint of one Service changes (a different Service each time).
    const slice = d.endpointSlices[(k * 97) % N]!;
    slice.endpoints[1] = {
      ...slice.endpoints[1]!,
      addresses: [slice.endpoints[1]!.addresses[0]!.includes(':') ? `2001:db8:3::${k + 1}` : `203.0.113.${201 + k}`],
    };
    t = performance.now();
    const r = await s.sync(d);
    singles.push(performance.now() - t);
    if (r.error) throw new Error(r.error);
    if (r.changes.length !== 2) throw new Error(`expected 2 changes (add + drain), got ${r.changes.length}`);
    // Let the drained server go (it has no connections) so the next change starts from a settled state.
    const end = Date.now() + 30_000;
    while (s.draining.size > 0 && Date.now() < end) await new Promise((r2) => setTimeout(r2, 100));
  }
  await s.stop();
  singles.sort((a, b) => a - b);
  return {
    fullMs,
    singleMedianMs: singles[2]!,
    singleMinMs: singles[0]!,
    singleMaxMs: singles[4]!,
    changes: full.changes.length,
  };
}

async function perEntry(): Promise<Record<string, number>> {
  const p = fullPlan();
  await sh(
    'ipset',
    ['restore', '-exist'],
    p.createSets.map((c) => `create ${c.name} ${c.type} family ${c.family === 'ipv6' ? 'inet6' : 'inet'}\n`).join(''),
  );
  // One process per member is slow under TCG: the first 500 are timed and the rest extrapolated.
  const sample = p.ipsetAdd.slice(0, 500);
  const t = performance.now();
  for (const m of sample) await sh('ipset', ['add', m.set, m.entry]);
  const ms = performance.now() - t;
  return {
    perEntryMs: (ms / sample.length) * p.ipsetAdd.length,
    perMemberMs: ms / sample.length,
    sampled: sample.length,
    members: p.ipsetAdd.length,
  };
}

const cases: Record<string, () => Promise<Record<string, number>>> = { raw, syncer, 'per-entry': perEntry };
const fn = cases[kind ?? ''];
if (!fn || !Number.isInteger(N) || N < 1) {
  console.error('usage: node bench/ipvs-guest.ts raw|syncer|per-entry N');
  process.exit(2);
}
console.log(JSON.stringify({ case: kind, n: N, ...(await fn()) }));
