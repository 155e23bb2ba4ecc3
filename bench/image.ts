// The shipped image: its size next to the build base a one-stage Dockerfile would ship, and the time from
// container start to /readyz 200 against a real local API server — the controller (uid 65534, no
// capabilities) and the speaker (as manifests/07 runs it, in a node namespace: src/lab/image-speaker.ts)
// — each next to the same program started from this checkout without a container, with the CPU seconds
// used until ready (a figure the machine's load does not inflate the way it does wall time); median of 5
// each. The image is $FERROLB_IMAGE, else built (or found cached) by scripts/build-image.sh. Cold and
// warm build times: `bash scripts/build-image.sh --measure`, which ends by running this benchmark.
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { CoreV1Api } from '@kubernetes/client-node';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freeLoopbackPort,
  httpGet,
  installManifests,
  legacyConfigMap,
  startCluster,
  startControllerChild,
  type Cluster,
} from '../src/lab/index.ts';
import {
  buildImage,
  engine,
  exec,
  imageControllerArgs,
  inspectImage,
  startContainer,
  type Container,
  type Engine,
} from '../src/lab/container-engine.ts';
import { cpuSecondsOf } from '../src/lab/controller-child.ts';
import { ImageSpeakerRig, speakerPodTemplate } from '../src/lab/image-speaker.ts';
import { expandVars } from '../src/lab/pod-run.ts';
import { startSpeakerChild } from '../src/lab/speaker-child.ts';
import { SPEAKER_NAMESPACE } from '../src/lab/speaker-lab.ts';

const RUNS = 5;
const TAG = process.env.FERROLB_IMAGE ?? 'localhost/ferrolb:bench';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Polls `get('/readyz')` every 5 ms until 200 (bounded); returns performance.now() at that answer. */
async function readyAt(
  get: (path: string) => Promise<{ status: number }>,
  what: string,
  timeoutMs = 60_000,
): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if ((await get('/readyz')).status === 200) return performance.now();
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${what}: no /readyz 200 within ${timeoutMs} ms`);
}

interface Sample {
  /** From the engine's StartedAt (the container's process started) to ready, s. */
  fromStart: number;
  /** From `<engine> run` to ready (with the engine's own start-up), s. */
  fromRun: number;
  /** CPU seconds the program had used when it was ready. */
  cpu: number;
}

/** Times a container `start()`ed at t0 until `get('/readyz')` is 200; always stops and removes it. */
async function timeContainer(
  e: Engine,
  start: () => Promise<Container>,
  get: (path: string) => Promise<{ status: number }>,
  what: string,
): Promise<Sample> {
  const t0 = performance.now();
  const wall0 = Date.now();
  const c = await start();
  try {
    const t1 = await readyAt(get, what).catch(async (err: unknown) => {
      throw new Error(`${(err as Error).message}\n--- container log ---\n${(await c.logs()).slice(-3000)}`);
    });
    const pid = Number((await exec([...e.argv, 'inspect', '--format', '{{.State.Pid}}', c.name])).stdout.trim());
    const cpu = cpuSecondsOf(pid) ?? NaN;
    const readyWall = wall0 + (t1 - t0);
    const started = await exec([...e.argv, 'inspect', '--format', '{{.State.StartedAt}}', c.name]);
    // podman prints "2026-11-29 18:27:33.123456789 +0000 UTC", docker RFC 3339: keep milliseconds.
    const m = /(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d{1,3})?\d*/.exec(started.stdout);
    if (!m) throw new Error(`cannot read StartedAt from ${JSON.stringify(started.stdout)}`);
    const startedWall = Date.parse(`${m[1]}T${m[2]}${m[3] ?? ''}Z`);
    return { fromRun: (t1 - t0) / 1000, fromStart: (readyWall - startedWall) / 1000, cpu };
  } finally {
    await c.stop(5);
    await c.remove();
  }
}

function controllerContainer(e: Engine, dir: string, i: number): Promise<Sample> {
  return freeLoopbackPort().then((port) =>
    timeContainer(
      e,
      () =>
        startContainer(
          e,
          `fim-bench-${process.pid}-${i}`,
          ['--network=host', '--user', '65534:65534', '--read-only', '--cap-drop=all', '-v', `${dir}:/etc/ferrolb:ro`],
          TAG,
          imageControllerArgs('/etc/ferrolb/kubeconfig', port),
        ),
      (path) => httpGet(port, path, 1000),
      `controller container run ${i}`,
    ),
  );
}

async function controllerHost(kubeconfig: string, dir: string, i: number): Promise<{ s: number; cpu: number }> {
  const port = await freeLoopbackPort();
  const t0 = performance.now();
  const child = startControllerChild({ kubeconfig, metricsPort: port, logPath: join(dir, `host-${i}.log`) });
  try {
    const t1 = await readyAt((path) => httpGet(port, path, 1000), `controller host run ${i}`);
    return { s: (t1 - t0) / 1000, cpu: child.cpuSeconds() ?? NaN };
  } finally {
    child.kill('SIGTERM');
    await child.waitExit();
  }
}

/** The speaker from this checkout in the rig's node namespace, with the DaemonSet's args, V8 flags and NODE_OPTIONS. */
async function speakerHost(
  rig: ImageSpeakerRig,
  kubeconfig: string,
  dir: string,
  i: number,
): Promise<{ s: number; cpu: number }> {
  const c = speakerPodTemplate().containers[0]!;
  const vars = { POD_NAMESPACE: SPEAKER_NAMESPACE };
  const args = (c.args ?? [])
    .map((a) => expandVars(a, vars))
    .map((a) => (a.startsWith('--state-dir=') ? `--state-dir=${dir}` : a));
  const nodeOptions = c.env?.find((v) => v.name === 'NODE_OPTIONS')?.value ?? '';
  const nodeFlags = (c.command ?? []).slice(1, -1); // [node, ...V8 flags, dist/speaker/main.mjs]
  const port = c.ports?.find((p) => p.name === 'monitoring')?.containerPort ?? 7473;
  const t0 = performance.now();
  const child = startSpeakerChild({
    nodeName: rig.node.name,
    kubeconfig,
    logPath: join(dir, `speaker-host-${i}.log`),
    netns: rig.node.ns,
    metricsPort: port,
    metricsHost: '0.0.0.0',
    extraArgs: [...args, '--pod-name', rig.podName],
    env: { NODE_OPTIONS: nodeOptions },
    nodeFlags,
  });
  try {
    const t1 = await readyAt((path) => rig.get(path), `speaker host run ${i}`);
    return { s: (t1 - t0) / 1000, cpu: cpuSecondsOf(child.pid) ?? NaN };
  } finally {
    child.kill('SIGTERM');
    await child.waitExit();
  }
}

async function speakerFigures(e: Engine, cluster: Cluster, dir: string): Promise<string[]> {
  // The speaker runs on the rig's metallb.io resources only: the controller runs' legacy ConfigMap goes.
  await cluster.kubeConfig
    .makeApiClient(CoreV1Api)
    .deleteNamespacedConfigMap({ name: 'config', namespace: SPEAKER_NAMESPACE });
  const rig = await ImageSpeakerRig.start(cluster, e, TAG, `fi6b${process.pid % 10000}`);
  try {
    const kubeconfig = await cluster.serviceAccountKubeconfig(SPEAKER_NAMESPACE, 'speaker');
    const container: Sample[] = [];
    const host: { s: number; cpu: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      container.push(
        await timeContainer(
          e,
          () => rig.start(speakerPodTemplate(), `bench-${i}`),
          (p) => rig.get(p),
          `speaker ${i}`,
        ),
      );
      host.push(await speakerHost(rig, kubeconfig, dir, i));
    }
    return table('speaker (manifests/07: uid 0, NET_RAW+NET_ADMIN, read-only)', e, container, host);
  } finally {
    await rig.destroy();
  }
}

function table(what: string, e: Engine, container: Sample[], host: { s: number; cpu: number }[]): string[] {
  const s = (x: number): string => `${x.toFixed(2)} s`;
  return [
    '',
    `| ${what}: to /readyz 200, median of ${RUNS} | time | CPU used until ready | goal |`,
    '|---|---|---|---|',
    `| image: container start (engine's StartedAt) → ready | ${s(median(container.map((c) => c.fromStart)))} | ${s(median(container.map((c) => c.cpu)))} | ≤ 2 s |`,
    `| image: \`${e.argv[0]} run\` → ready (with the engine's own start-up) | ${s(median(container.map((c) => c.fromRun)))} | | |`,
    `| baseline: the same program from this checkout, no container | ${s(median(host.map((h) => h.s)))} | ${s(median(host.map((h) => h.cpu)))} | |`,
  ];
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
    const container: Sample[] = [];
    const host: { s: number; cpu: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      container.push(await controllerContainer(e, dir, i));
      host.push(await controllerHost(sa, dir, i));
    }
    lines.push(...table('controller (uid 65534, no capabilities, read-only)', e, container, host));
    if (process.env.IMAGE_BENCH_ONLY !== 'controller') lines.push(...(await speakerFigures(e, cluster, dir)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await cluster.stop();
  }
  return lines;
}
