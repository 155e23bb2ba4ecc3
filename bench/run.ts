// `npm run bench [-- NAME...]`: runs the benchmarks and prints their figures, each next to a baseline
// measured in the same run. Benchmarks are not tests: they assert nothing about time.
const BENCHES: Record<string, string> = {
  allocator: './allocator.ts',
  controller: './controller.ts',
  bgp: './bgp.ts',
  failover: './failover.ts',
  image: './image.ts',
  ipvs: './ipvs.ts',
  l2: './l2.ts',
  membership: './membership.ts',
};

// Arguments starting with -- are flags for the benchmarks themselves (e.g. `membership --quick`).
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
let failed = false;
for (const name of names) {
  const path = BENCHES[name];
  if (!path) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exitCode = 2;
    continue;
  }
  console.log(`\n## ${name}`);
  try {
    const mod = (await import(path)) as { run: () => Promise<string[]> };
    for (const line of await mod.run()) console.log(line);
  } catch (err) {
    failed = true;
    console.error(`BENCHMARK ${name} COULD NOT RUN: ${(err as Error).stack ?? err}`);
  }
}
if (failed) process.exitCode = 1;
