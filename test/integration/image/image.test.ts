// The shipped image, built for real (scripts/build-image.sh: podman or docker; without registry access
// it makes its own base) and run the way the manifests run it: as 65534, read-only root, no
// capabilities. Its controller gives a Service an IP against the real kube-apiserver, under the
// ServiceAccount and RBAC of manifests/.
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  freeLoopbackPort,
  httpGet,
  installManifests,
  legacyConfigMap,
  startCluster,
  waitFor,
  type Cluster,
} from '../../../src/lab/index.ts';
import {
  buildImage,
  engine,
  imageFiles,
  inspectImage,
  runOnce,
  startContainer,
  type Built,
  type Container,
  type Engine,
} from '../../../src/lab/container-engine.ts';
import { ingressOf, lbService } from '../controller/fixture.ts';

const TAG = 'localhost/ferrolb:fim-test';
/** How the manifests run it: uid/gid 65534, read-only root filesystem, every capability dropped. */
const LOCKED_DOWN = ['--user', '65534:65534', '--read-only', '--cap-drop=all', '--security-opt', 'no-new-privileges'];

let e: Engine;
let built: Built;

beforeAll(async () => {
  e = await engine();
  built = await buildImage(TAG);
  console.log(`image ${TAG}: ${built.sizeMb} MB, built in ${built.seconds} s (${e.argv.join(' ')})`);
}, 1_800_000);

describe('the image', () => {
  test('holds node, the addon, the sources and production packages only: no shell, npm, headers or compiler', async () => {
    const files = await imageFiles(e, TAG);
    expect(files.length).toBeGreaterThan(1000);
    expect(files).toContain('usr/local/bin/node');
    expect(files).toContain('app/controller/main.ts');
    expect(files).toContain('app/bin/ferrolb.ts');
    expect(files).toContain('app/src/controller/controller.ts');
    expect(files).toContain('app/node_modules/@kubernetes/client-node/package.json');
    expect(files).toContain('app/speaker/');
    expect(files.filter((f) => f.endsWith('.node'))).toEqual(['app/build/Release/ferrolb_native.node']);
    const forbidden = files.filter(
      (f) =>
        /(^|\/)(npm|npx|corepack)(\/|$)/.test(f) ||
        /^(usr\/)?bin\/(sh|bash|dash|apt|g\+\+|gcc|make|python3)$/.test(f) ||
        /include\/node\//.test(f) ||
        /\.d\.[mc]?ts$/.test(f) ||
        /\.map$/.test(f) ||
        /(^|\/)test\//.test(f) ||
        /^app\/node_modules\/(typescript|vitest|node-gyp|node-api-headers|node-addon-api|@types)\//.test(f),
    );
    expect(forbidden).toEqual([]);
  });

  test('is at most 200 MB and runs as 65534 with node as its entry point', async () => {
    const info = await inspectImage(e, TAG);
    expect(info.sizeBytes / 1e6).toBeLessThanOrEqual(200);
    expect(info.user).toBe('65534:65534');
    expect(info.entrypoint).toEqual(['/usr/local/bin/node']);
    expect(info.cmd).toEqual(['controller/main.ts']);
  });

  test('runs locked down (uid 65534, read-only, no capabilities) and loads the native addon', async () => {
    const script = [
      "import fs from 'node:fs';",
      "const caps = /CapEff:\\s*(\\w+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1];",
      "let writable = true; try { fs.writeFileSync('/app/x', 'x'); } catch { writable = false; }",
      "const { nativeAddon } = await import('/app/src/native/addon.ts');",
      'console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), caps, writable, addon: typeof nativeAddon(), node: process.version }));',
    ].join('\n');
    const r = await runOnce(e, ['--network=none', ...LOCKED_DOWN], TAG, ['--input-type=module', '-e', script]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({
      uid: 65534,
      gid: 65534,
      caps: '0000000000000000',
      writable: false,
      addon: 'object',
      node: expect.stringMatching(/^v24\./),
    });
  });

  test("loads the controller's modules from the compile cache baked in for uid 65534, on a read-only root", async () => {
    const r = await runOnce(e, ['--network=none', ...LOCKED_DOWN, '-e', 'NODE_DEBUG_NATIVE=COMPILE_CACHE'], TAG, [
      'controller/main.ts',
      '--workers',
      'many',
    ]);
    const accepted = r.stderr.match(/code cache for (ESM|CommonJS) \S+ was accepted/g) ?? [];
    const typescript = r.stderr
      .split('\n')
      .filter((l) => /reading cache from .* for StrippedTypeScript .*\.\.\. success/.test(l));
    expect(r.stderr).not.toMatch(/Cannot create cache directory/);
    expect(accepted.length).toBeGreaterThan(100);
    expect(typescript.length).toBeGreaterThan(10);
  });

  test('controller --help exits 0 with the usage; without a kubeconfig outside a cluster it stops at once, saying why', async () => {
    const help = await runOnce(e, ['--network=none', ...LOCKED_DOWN], TAG, ['controller/main.ts', '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/--kubeconfig/);
    const none = await runOnce(e, ['--network=none', ...LOCKED_DOWN], TAG, ['controller/main.ts']);
    expect(none.code).toBe(1);
    expect(`${none.stdout}${none.stderr}`).toMatch(/no kubeconfig: not in a cluster/);
  });

  test('a bad flag is refused with exit 2 and the reason', async () => {
    const r = await runOnce(e, ['--network=none', ...LOCKED_DOWN], TAG, ['controller/main.ts', '--workers', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--workers/);
  });

  // SPEAKER — to add once speaker/main.ts exists: the speaker from the image starts with only the
  // capabilities its DaemonSet grants (charts/ferrolb speaker.yaml): --user 65534:65534 --read-only
  // --cap-drop=all --cap-add=NET_RAW,NET_ADMIN,NET_BIND_SERVICE, and binds port 179 as non-root.
});

describe('the controller from the image against a real API server', () => {
  let cluster: Cluster;
  let container: Container | undefined;
  let dir: string;

  beforeAll(async () => {
    cluster = await startCluster();
    for (const text of installManifests()) await cluster.apply(text);
    await cluster.apply(
      legacyConfigMap(`
- name: image-pool
  protocol: layer2
  addresses: [203.0.113.32/28]
`),
    );
    // The ServiceAccount's kubeconfig, readable by 65534 inside the container (a read-only bind mount).
    const sa = await cluster.serviceAccountKubeconfig('ferrolb-system', 'controller');
    dir = mkdtempSync(join(tmpdir(), 'fim-image-'));
    chmodSync(dir, 0o755);
    copyFileSync(sa, join(dir, 'kubeconfig'));
    chownSync(join(dir, 'kubeconfig'), 65534, 65534);
  }, 900_000);

  afterAll(async () => {
    await container?.remove();
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('gets ready, gives a LoadBalancer Service an IP from the pool, and stops cleanly on SIGTERM', async () => {
    const port = await freeLoopbackPort();
    const start = performance.now();
    container = await startContainer(
      e,
      `fim-controller-${process.pid}`,
      ['--network=host', ...LOCKED_DOWN, '-v', `${dir}:/etc/ferrolb:ro`, '-e', 'POD_NAME=controller-image-test'],
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
    const c = container;
    const diagnostics = async (): Promise<string> =>
      `--- container log ---\n${await c.logs()}\n${cluster.logTails(20)}`;
    await waitFor(async () => (await httpGet(port, '/readyz', 2000)).status === 200, {
      what: 'the controller in the container to answer /readyz with 200',
      timeoutMs: 60_000,
      intervalMs: 20,
      diagnostics,
    });
    console.log(
      `controller in the image: ready ${((performance.now() - start) / 1000).toFixed(2)} s after \`${e.argv[0]} run\` (includes the engine starting it)`,
    );

    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'shop' } } });
    await core.createNamespacedService({ namespace: 'shop', body: lbService('shop', 'web') });
    const svc = await waitFor(
      async () => {
        const s = await core.readNamespacedService({ namespace: 'shop', name: 'web' });
        // The status and the pool annotation are two API writes: wait for both.
        const annotated = s.metadata?.annotations?.['metallb.io/ip-allocated-from-pool'] !== undefined;
        return ingressOf(s).length > 0 && annotated ? s : undefined;
      },
      {
        what: 'shop/web to get an IP and its pool annotation from the controller in the image',
        timeoutMs: 60_000,
        diagnostics,
      },
    );
    expect(ingressOf(svc)).toHaveLength(1);
    expect(ingressOf(svc)[0]).toMatch(/^203\.0\.113\.(3[2-9]|4[0-7])$/);
    expect(svc.metadata?.annotations?.['metallb.io/ip-allocated-from-pool']).toBe('image-pool');

    const metrics = await httpGet(port, '/metrics');
    expect(metrics.body).toMatch(/^ferrolb_/m);

    expect(await c.stop()).toBe(0);
    expect(await c.logs()).toMatch(/"msg":"stopped"/);
  });
});
