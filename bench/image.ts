// The shipped image: its size next to the build base a one-stage Dockerfile would ship, and the time from
// container start to the controller's /readyz 200 against a real local API server, next to the same
// controller started from this checkout without a container (median of 5 each). The image is
// $FERROLB_IMAGE, else built (or found cached) by scripts/build-image.sh. Cold and warm build times:
// `bash scripts/build-image.sh --measure`, which ends by running this benchmark.
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freeLoopbackPort,
  httpGet,
  installManifests,
  legacyConfigMap,
  startCluster,
  startControllerChild,
} from '../src/lab/index.ts';
import { buildImage, engine, exec, inspectImage, startContainer, type Engine } from '../src/lab/container-engine.ts';

const RUNS = 5;
const TAG = process.env.FERROLB_IMAGE ?? 'localhost/ferrolb:bench';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Polls /readyz every 5 ms until 200 (bounded); returns performance.now() at that answer. */
async function readyAt(port: number, what: string, timeoutMs = 60_000): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if ((await httpGet(port, '/readyz', 1000)).status === 200) return performance.now();
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${what}: no /readyz 200 within ${timeoutMs} ms`);
}

async function containerRun(e: Engine, dir: string, i: number): Promise<{ fromRun: number; fromStart: number }> {
  const port = await freeLoopbackPort();
  const t0 = performance.now();
  const wall0 = Date.now();
  const c = await startContainer(
    e,
    `fim-bench-${process.pid}-${i}`,
    ['--network=host', '--user', '65534:65534', '--read-only', '--cap-drop=all', '-v', `${dir}:/etc/ferrolb:ro`],
    TAG,
    [
      'controller/main.ts',
      '--kubeconfig',
      '/etc/ferrolb/kubeconfig',
      '--metrics-host',
      '127.0.0.1',
      '--metrics-port',
      String(port),
    ],
  );
  try {
    const t1 = await readyAt(port, `container run ${i}`);
    const readyWall = wall0 + (t1 - t0);
    const started = await exec([...e.argv, 'inspect', '--format', '{{.State.StartedAt}}', c.name]);
    // podman prints "2026-11-29 18:27:33.123456789 +0000 UTC", docker RFC 3339: keep milliseconds.
    const m = /(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d{1,3})?\d*/.exec(started.stdout);
    if (!m) throw new Error(`cannot read StartedAt from ${JSON.stringify(started.stdout)}`);
    const startedWall = Date.parse(`${m[1]}T${m[2]}${m[3] ?? ''}Z`);
    return { fromRun: (t1 - t0) / 1000, fromStart: (readyWall - startedWall) / 1000 };
  } finally {
    await c.stop(5);
    await c.remove();
  }
}

async function hostRun(kubeconfig: string, dir: string, i: number): Promise<number> {
  const port = await freeLoopbackPort();
  const t0 = performance.now();
  const child = startControllerChild({ kubeconfig, metricsPort: port, logPath: join(dir, `host-${i}.log`) });
  try {
    return ((await readyAt(port, `host run ${i}`)) - t0) / 1000;
  } finally {
    child.kill('SIGTERM');
    await child.waitExit();
  }
}

export async function run(): Promise<string[]> {
  const e = await engine();
  const lines: string[] = [];
  if (process.env.FERROLB_IMAGE === undefined) {
    const built = await buildImage(TAG);
    lines.push(`built ${TAG} in ${built.seconds} s (cached layers where unchanged)`);
  }
  const info = await inspectImage(e, TAG);
  const bases = await exec([...e.argv, 'images', '--format', '{{.Repository}}:{{.Tag}}']);
  const base = bases.stdout.split('\n').find((l) => /ferrolb-node-base:|library\/node:24/.test(l));
  const baseSize = base ? (await inspectImage(e, base)).sizeBytes : undefined;
  lines.push(`| image | size |`, `|---|---|`, `| ${TAG} | ${(info.sizeBytes / 1e6).toFixed(1)} MB |`);
  if (base && baseSize !== undefined)
    lines.push(
      `| baseline: its build base ${base} (what a one-stage Dockerfile ships, before packages) | ${(baseSize / 1e6).toFixed(1)} MB |`,
    );

  const cluster = await startCluster();
  const dir = mkdtempSync(join(tmpdir(), 'fim-bench-'));
  try {
    for (const text of installManifests()) await cluster.apply(text);
    await cluster.apply(legacyConfigMap('- name: bench\n  protocol: layer2\n  addresses: [203.0.113.0/28]'));
    const sa = await cluster.serviceAccountKubeconfig('ferrolb-system', 'controller');
    chmodSync(dir, 0o755);
    copyFileSync(sa, join(dir, 'kubeconfig'));
    chownSync(join(dir, 'kubeconfig'), 65534, 65534);
    const container: { fromRun: number; fromStart: number }[] = [];
    const host: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      container.push(await containerRun(e, dir, i));
      host.push(await hostRun(sa, dir, i));
    }
    const f = (x: number): string => `${x.toFixed(2)} s`;
    lines.push(
      '',
      `| controller to /readyz 200 (median of ${RUNS}) | time |`,
      '|---|---|',
      `| image: container start (engine's StartedAt) → ready | ${f(median(container.map((c) => c.fromStart)))} |`,
      `| image: \`${e.argv[0]} run\` → ready (with the engine's own start-up) | ${f(median(container.map((c) => c.fromRun)))} |`,
      `| baseline: the same controller from this checkout, no container | ${f(median(host))} |`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await cluster.stop();
  }
  return lines;
}
