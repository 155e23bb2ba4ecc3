// Runs INSIDE the benchmark VM, in a fresh network namespace per case (IPVS tables, ipsets and
// interfaces are per namespace, so every case starts empty): `node bench/ipvs-guest.ts CASE N`, prints
// one JSON line of figures. Cases:
//   raw      the same state written by the tools themselves: `ip -batch` (addresses), `ipset restore`,
//            `ipvsadm -R` — the baseline
//   syncer   IpvsSyncer: full sync from empty in a fresh process (read + build + plan + apply, timed per
//            phase), single changes (one endpoint of one Service), then a second full sync from empty in
//            the same, warm process; IPVS changes over generic netlink (the default)
//   syncer-ipvsadm  the same with the IPVS changes through `ipvsadm -R` (the fallback, the previous path)
//   per-entry  kube-proxy's way: one `ipset add` process per member (200 timed, the rest extrapolated)
import { writeFileSync } from 'node:fs';
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

const t1 = (x: number): number => Math.round(x * 10) / 10;

async function syncer(netlink: boolean): Promise<Record<string, number>> {
  // No periodic full read (resync) inside the measured run: it is its own cost, not a single change's. Drain
  // timeout 0: a removed real server is deleted at once, so no drain polls (kernel reads) run between the
  // measured changes however slow the VM is (each change is then one add + one delete).
  const cfg = {
    interface: IFACE,
    nodeName: 'fiv-node',
    firewall: false,
    sysctls: false,
    resyncMs: 3_600_000,
    drainTimeoutMs: 0,
  };
  // Strict ARP in this namespace, as the node's operator sets it (`sysctls: false` above): the syncer
  // adds no IPv4 LB IP without it.
  writeFileSync('/proc/sys/net/ipv4/conf/all/arp_ignore', '1\n');
  writeFileSync('/proc/sys/net/ipv4/conf/all/arp_announce', '2\n');
  // The input is made before the clock starts: it is the caller's (the informers'), not the syncer's work.
  let d = fixtureDesired(N);
  const s = new IpvsSyncer({ clock: systemClock, netlink }, cfg);
  let t = performance.now();
  const full = await s.sync(d);
  const fullMs = performance.now() - t;
  if (full.error) throw new Error(full.error);
  const ft = full.timings!;
  if (s.ipvsPath !== (netlink ? 'netlink' : 'ipvsadm')) throw new Error(`IPVS changes went through ${s.ipvsPath}`);
  const singles: { ms: number; jsMs: number; applyMs: number }[] = [];
  for (let k = 0; k < 5; k++) {
    // One endpoint of one Service changes (a different Service each time), as an informer delivers it: a
    // new EndpointSlice object in a new list, every other object the same as before.
    const i = (k * 97) % N;
    const old = d.endpointSlices[i]!;
    const slices = [...d.endpointSlices];
    slices[i] = {
      ...old,
      endpoints: [
        old.endpoints[0]!,
        {
          ...old.endpoints[1]!,
          addresses: [old.addressType === 'IPv6' ? `2001:db8:3::${k + 1}` : `203.0.113.${201 + k}`],
        },
      ],
    };
    d = { services: d.services, endpointSlices: slices };
    t = performance.now();
    const r = await s.sync(d);
    const ms = performance.now() - t;
    if (r.error) throw new Error(r.error);
    if (r.changes.length !== 2) throw new Error(`expected 2 changes (add + delete), got ${r.changes.join('; ')}`);
    if (r.readKernel !== false) throw new Error(`a single change read the kernel (${String(r.readKernel)})`);
    const rt = r.timings!;
    singles.push({ ms, jsMs: rt.buildMs + rt.planMs, applyMs: rt.applyMs });
  }
  await s.stop();
  // A second full sync in the same (now warm) process: a new syncer removes everything, then programs the
  // whole state again (fresh objects, so nothing is memoised).
  const w = new IpvsSyncer({ clock: systemClock, netlink }, cfg);
  const cleared = await w.sync({ services: [], endpointSlices: [] });
  if (cleared.error) throw new Error(cleared.error);
  const fresh = fixtureDesired(N);
  t = performance.now();
  const warm = await w.sync(fresh);
  const warmMs = performance.now() - t;
  if (warm.error) throw new Error(warm.error);
  await w.stop();
  singles.sort((a, b) => a.ms - b.ms);
  const mid = singles[2]!;
  return {
    fullMs,
    fullBuildMs: t1(ft.buildMs),
    fullReadMs: t1(ft.readMs),
    fullPlanMs: t1(ft.planMs),
    fullApplyMs: t1(ft.applyMs),
    warmFullMs: warmMs,
    warmApplyMs: t1(warm.timings!.applyMs),
    singleMedianMs: mid.ms,
    singleJsMs: t1(mid.jsMs),
    singleApplyMs: t1(mid.applyMs),
    singleMinMs: singles[0]!.ms,
    singleMaxMs: singles[4]!.ms,
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
  // One process per member is slow under TCG: the first 200 are timed and the rest extrapolated.
  const sample = p.ipsetAdd.slice(0, 200);
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

const cases: Record<string, () => Promise<Record<string, number>>> = {
  raw,
  syncer: () => syncer(true),
  'syncer-ipvsadm': () => syncer(false),
  'per-entry': perEntry,
};
const fn = cases[kind ?? ''];
if (!fn || !Number.isInteger(N) || N < 1) {
  console.error('usage: node bench/ipvs-guest.ts raw|syncer|syncer-ipvsadm|per-entry N');
  process.exit(2);
}
console.log(JSON.stringify({ case: kind, n: N, ...(await fn()) }));
