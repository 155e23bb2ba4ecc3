// IPVS benchmark (`npm run bench -- ipvs`): inside one boot of the test VM (Debian's kernel under qemu TCG —
// this machine's kernel has no IPVS), for N LB IPs × 2 real servers with their ipset members:
//   - the syncer's full sync from empty (setup, kernel read, plan, apply) next to the raw tools writing the
//     same state (`ip -batch` + `ipset restore` + `ipvsadm -R`), each case in a fresh network namespace;
//   - a single change at N (one endpoint of one Service: one add + one drain) as a share of the full sync;
//   - both with the IPVS changes over generic netlink (the syncer's default) and through `ipvsadm -R` (the
//     fallback, measured once in the same boot for comparison);
//   - kube-proxy's way of filling the sets (one `ipset add` process per member), for comparison.
// TCG is ~10-50× slower than hardware: compare the ratios, not the absolute times. FIV_BENCH_SIZES
// overrides the sizes (default 1000).
import { GUEST_NODE, LOAD_MODULES, prepareVm, REPO_ROOT, runInVm } from '../src/lab/vm.ts';

const SIZES = (process.env['FIV_BENCH_SIZES'] ?? '1000').split(',').map(Number);

export async function run(): Promise<string[]> {
  const image = prepareVm();
  const node = GUEST_NODE.join(' ');
  const cases = SIZES.flatMap((n) => [
    ['raw', n],
    ['syncer', n],
    ['raw', n],
    ['syncer', n],
    ['syncer-ipvsadm', n],
    ...(n <= 1000 ? [['per-entry', n]] : []),
  ]);
  const script = `${LOAD_MODULES}
cd ${REPO_ROOT}
i=0
${cases
  .map(
    ([c, n]) =>
      `i=$((i+1)); ip netns add fiv-bench-$i; ip netns exec fiv-bench-$i ${node} bench/ipvs-guest.ts ${c} ${n} || echo '{"case":"${c}","n":${n},"error":true}'; ip netns del fiv-bench-$i`,
  )
  .join('\n')}
`;
  const started = Date.now();
  const vm = await runInVm({ image, script, timeoutMs: 1_800_000, memoryMb: 1536 });
  const results = vm.output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, number | string | boolean>);
  const lines = [
    `VM run: ${((Date.now() - started) / 1000).toFixed(0)} s (kernel ${image.kernelVersion}, qemu TCG, 2 vCPUs)`,
  ];
  if (vm.code !== 0 || results.some((r) => r.error)) {
    lines.push(`some cases failed (exit ${vm.code}):`, vm.output.slice(-3000));
  }
  const best = (c: string, n: number, k: string): number => {
    const v = results.filter((r) => r.case === c && r.n === n && typeof r[k] === 'number').map((r) => r[k] as number);
    return v.length ? Math.min(...v) : NaN;
  };
  const f = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(2)} %`;
  lines.push(
    '',
    'What each figure includes:',
    '- raw tools: `ip -batch` (addresses) + `ipset restore` (sets, members) + `ipvsadm -R` (virtual and real servers),',
    '  run one after another with the batch texts made beforehand (untimed), into an empty namespace: the kernel work alone.',
    '- syncer full (cold): `IpvsSyncer.sync()` of the whole state from empty, in a fresh Node process (so V8 compiles',
    '  as it goes): kernel read (`ip -d addr`, `ipvsadm -Ln`, `ipset save` at once), building the desired state, diff,',
    '  rendering, interface setup and `ipset restore` ‖ `ip -batch`, then the IPVS changes over generic netlink (a few',
    '  sendmsg batches; row "ipvsadm": through `ipvsadm -R`, the fallback). The input objects are made before.',
    '- syncer full (warm): the same after everything was removed again, in the same process (fresh input objects).',
    '- single change: one endpoint of one Service replaced (one real server added, the old one deleted: drain',
    '  timeout 0, so no drain polls run in between), median of 5: quick build + scoped diff (JS) and the apply (one',
    '  netlink sendmsg, or one `ipvsadm -R` process).',
    '',
    '| N LB IPs (×2 real servers), IPVS path | ipset members | raw tools | syncer full (cold) [read / build / plan / apply] | cold / raw | syncer full (warm) | warm / raw | single change [JS / apply] | single / cold full | single / warm full | per-entry `ipset add` (kube-proxy; 200 timed, extrapolated) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const [n, c] of SIZES.flatMap((x) => [
    [x, 'syncer'],
    [x, 'syncer-ipvsadm'],
  ]) as [number, string][]) {
    const rawMs = best('raw', n, 'totalMs');
    const fullMs = best(c, n, 'fullMs');
    const warmMs = best(c, n, 'warmFullMs');
    const single = best(c, n, 'singleMedianMs');
    const per = c === 'syncer' ? best('per-entry', n, 'perEntryMs') : NaN;
    const of = (k: string): string => `${best(c, n, k).toFixed(0)}`;
    lines.push(
      `| ${n}, ${c === 'syncer' ? 'netlink' : 'ipvsadm'} | ${best('raw', n, 'members')} | ${f(rawMs)} (ip ${f(best('raw', n, 'ipMs'))}, ipset ${f(best('raw', n, 'ipsetMs'))}, ipvsadm ${f(best('raw', n, 'ipvsMs'))}) | ${f(fullMs)} [${of('fullReadMs')} / ${of('fullBuildMs')} / ${of('fullPlanMs')} / ${of('fullApplyMs')} ms] | ${(fullMs / rawMs).toFixed(2)}× (goal ≤ 1.2×) | ${f(warmMs)} | ${(warmMs / rawMs).toFixed(2)}× | ${single.toFixed(0)} ms [${of('singleJsMs')} / ${of('singleApplyMs')} ms] | ${pct(single, fullMs)} (goal ≤ 2 %) | ${pct(single, warmMs)} | ${Number.isNaN(per) ? '-' : f(per)} |`,
    );
  }
  lines.push(
    '',
    'best of 2 runs per case (the ipvsadm row: 1 run; fresh network namespace each; phase figures from the same best-of rule, so they need not add up)',
  );
  return lines;
}
