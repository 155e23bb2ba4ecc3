// The shipped image, built for real (scripts/build-image.sh: podman or docker; without registry access
// it makes its own base) and run the way the manifests run it. Its controller (65534, read-only root, no
// capabilities) gives a Service an IP against the real kube-apiserver under the ServiceAccount and RBAC
// of manifests/; its speaker (uid 0 with only manifests/07's capabilities) answers ARP for its IP, and finds
// the IPVS syncer's tools in the image (this kernel lacks ip_vs, which it names).
import { chmodSync, chownSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  exec,
  imageControllerArgs,
  imageFiles,
  inspectImage,
  runOnce,
  startContainer,
  type Built,
  type Container,
  type Engine,
} from '../../../src/lab/container-engine.ts';
import { ImageSpeakerRig, speakerPodTemplate } from '../../../src/lab/image-speaker.ts';
import { answeringMacs, macOf } from '../../../src/lab/speaker-net.ts';
import { ingressOf, lbService } from '../controller/fixture.ts';
import { createLbService, setupSpeakerEnv, statusObjects, type SpeakerEnv } from '../speaker/fixture.ts';

const TAG = 'localhost/ferrolb:fit-test';
/** Names of this file's network namespaces and containers. */
const PREFIX = `fit${process.pid % 100000}`;
/** How the manifests run it: uid/gid 65534, read-only root filesystem, every capability dropped. */
const LOCKED_DOWN = ['--user', '65534:65534', '--read-only', '--cap-drop=all', '--security-opt', 'no-new-privileges'];

/**
 * How manifests/07 runs the speaker, without its host network: uid 0, read-only root, no_new_privs, every
 * capability dropped but the DaemonSet's.
 */
function asSpeaker(): string[] {
  const add = speakerPodTemplate().containers[0]?.securityContext?.capabilities?.add ?? [];
  expect(add.length).toBeGreaterThan(0);
  return [
    '--user',
    '0:0',
    '--read-only',
    '--cap-drop=all',
    `--cap-add=${add.join(',')}`,
    '--security-opt',
    'no-new-privileges',
  ];
}

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
    expect(files).toContain('app/dist/speaker/main.mjs');
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

  test("holds the IPVS syncer's tools (iptables on nft), and each runs as the speaker runs", async () => {
    const run = (tool: string, args: string[]) =>
      runOnce(e, ['--network=none', ...asSpeaker(), '--entrypoint', `/usr/sbin/${tool}`], TAG, args);
    const versions: [string, string[], RegExp][] = [
      ['ip', ['-V'], /^ip utility, iproute2-/],
      ['ipset', ['version'], /^ipset v\d/],
      ...['iptables', 'ip6tables', 'iptables-restore', 'ip6tables-restore', 'iptables-save', 'ip6tables-save'].map(
        (t): [string, string[], RegExp] => [t, ['--version'], new RegExp(`^${t} v[\\d.]+ \\(nf_tables\\)`)],
      ),
    ];
    for (const [tool, args, want] of versions) {
      const r = await run(tool, args);
      expect(r.code, `${tool}: ${r.stderr}`).toBe(0);
      expect(r.stdout.trim(), tool).toMatch(want);
    }
    // The kernel through them, in the container's own network namespace (NET_ADMIN): a rule written through
    // nftables with extensions the syncer's rules load (mark, MASQUERADE; comment), the `set` match's
    // extension (sets are per network namespace: none exist in this one to match on), ip_set, rtnetlink.
    for (const tool of ['iptables', 'ip6tables']) {
      const rule = ['-m', 'mark', '--mark', '0x4000/0x4000', '-m', 'comment', '--comment', 'fit', '-j', 'MASQUERADE'];
      const added = await run(tool, ['-t', 'nat', '-A', 'POSTROUTING', ...rule]);
      expect(added.code, `${tool}: ${added.stderr}`).toBe(0);
      const setMatch = await run(tool, ['-m', 'set', '-h']);
      expect(setMatch.code, `${tool} -m set: ${setMatch.stderr}`).toBe(0);
      expect(setMatch.stdout).toMatch(/--match-set/);
    }
    const sets = await run('ipset', ['list', '-n']);
    expect(sets.code, sets.stderr).toBe(0);
    const link = await run('ip', ['-o', 'link', 'show', 'dev', 'lo']);
    expect(link.code, link.stderr).toBe(0);
    expect(link.stdout).toMatch(/^1: lo: /);
    // ipvsadm opens IPVS before it reads its arguments: on this kernel (no ip_vs) it starts, finds no IPVS and
    // says so; "not runnable" (a missing library: 127) would be the image's fault.
    const ipvsadm = await run('ipvsadm', ['-Ln']);
    if (ipvsadm.code === 0) expect(ipvsadm.stdout).toMatch(/^IP Virtual Server version/);
    else {
      expect(ipvsadm.code).not.toBe(127);
      expect(ipvsadm.stderr).toMatch(/Can't initialize ipvs/);
      expect(ipvsadm.stderr).not.toMatch(/error while loading shared libraries/);
    }
  });

  test('the speaker cannot write its sysctls on the read-only /proc/sys: the syncer lists them and goes on', async () => {
    const script = [
      "const { applySysctls } = await import('/app/src/ipvs/setup.ts');",
      'console.log(JSON.stringify(await applySysctls()));',
    ].join('\n');
    const r = await runOnce(e, ['--network=none', ...asSpeaker()], TAG, ['--input-type=module', '-e', script]);
    expect(r.code, r.stderr).toBe(0);
    const denied = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as string[];
    expect(denied).toContain('net.ipv4.conf.all.arp_ignore=1 (EROFS)');
    expect(denied).toContain('net.ipv4.conf.all.arp_announce=2 (EROFS)');
    expect(denied).toHaveLength(5);
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
    // ~95 modules: the controller's own and its packages' (the yaml package is loaded at its first use)
    expect(accepted.length).toBeGreaterThan(50);
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

  test('speaker --help exits 0; without a kubeconfig outside a cluster it stops at once, saying why', async () => {
    const help = await runOnce(e, ['--network=none', ...LOCKED_DOWN], TAG, ['dist/speaker/main.mjs', '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/--node-name/);
    const none = await runOnce(e, ['--network=none', ...LOCKED_DOWN], TAG, [
      'dist/speaker/main.mjs',
      '--node-name',
      'n',
    ]);
    expect(none.code).toBe(1);
    expect(`${none.stdout}${none.stderr}`).toMatch(/no kubeconfig: not in a cluster/);
  });

  test("the DaemonSet's command and environment start the speaker bundle: plain JavaScript, no compile cache", async () => {
    const c = speakerPodTemplate().containers[0]!;
    const env = (name: string): string | undefined => c.env?.find((v) => v.name === name)?.value;
    expect(env('NODE_OPTIONS')).toBeDefined();
    expect(env('NODE_COMPILE_CACHE')).toBe('');
    // The DaemonSet's command without its leading `node` (the image's entry point).
    expect(c.command?.[0]).toBe('node');
    const entry = c.command!.slice(1);
    expect(entry.at(-1)).toBe('dist/speaker/main.mjs');
    const run = (args: string[]) =>
      runOnce(
        e,
        [
          '--network=none',
          '--user',
          '0:0',
          '--read-only',
          '--cap-drop=all',
          '-e',
          'NODE_DEBUG_NATIVE=COMPILE_CACHE',
          '-e',
          `NODE_OPTIONS=${env('NODE_OPTIONS')}`,
          '-e',
          'NODE_COMPILE_CACHE=',
        ],
        TAG,
        [...entry, ...args],
      );
    const help = await run(['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/--node-name/);
    // Node's compile cache stays off (it would log each module it reads or writes with NODE_DEBUG_NATIVE).
    expect(help.stderr).not.toMatch(/cache/i);
    const bad = await run(['--bad-flag']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--bad-flag/);
  });
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
      imageControllerArgs('/etc/ferrolb/kubeconfig', port),
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

// The speaker from the image, started as the DaemonSet starts it (src/lab/pod-run.ts reads manifests/07:
// uid, capabilities, read-only root, no_new_privs, command, args, env, emptyDir, host network) in a node
// namespace, with in-cluster credentials of its own ServiceAccount, against the real API server
// (src/lab/image-speaker.ts). It answers ARP for the IP it owns from its packet socket; without NET_RAW
// it says why it cannot. (Why uid 0: see manifests/07. Podman, unlike Kubernetes, puts added
// capabilities in the ambient set of a non-root user, so a passing run as 65534 here would prove nothing
// about a cluster.)
describe('the speaker from the image, with only the capabilities of its DaemonSet', () => {
  const IP = '192.0.2.200';
  let env: SpeakerEnv;
  let rig: ImageSpeakerRig;

  beforeAll(async () => {
    env = await setupSpeakerEnv();
    rig = await ImageSpeakerRig.start(env.cluster, e, TAG, PREFIX);
    rig.net.holdIps([IP]);
    await env.core.createNamespace({ body: { metadata: { name: 'shop' } } });
    await createLbService(env, 'shop', 'web', IP, [rig.node.name]);
  }, 900_000);

  afterAll(async () => {
    await rig?.destroy();
    await env?.stop();
  });

  test('as uid 0 with NET_RAW and NET_ADMIN only: ready, answers ARP for its IP with the node MAC, stops cleanly', async () => {
    const pod = speakerPodTemplate();
    const caps = pod.containers[0]!.securityContext?.capabilities;
    expect(caps?.drop).toEqual(['ALL']);
    const start = performance.now();
    const c = await rig.start(pod, 'speaker');
    const diagnostics = async (): Promise<string> =>
      `--- container log ---\n${await c.logs()}\n${env.cluster.logTails(20)}`;
    await waitFor(async () => (await rig.get('/readyz')).status === 200, {
      what: 'the speaker in the container to answer /readyz with 200',
      timeoutMs: 60_000,
      intervalMs: 20,
      diagnostics,
    });
    console.log(
      `speaker in the image: ready ${((performance.now() - start) / 1000).toFixed(2)} s after \`${e.argv[0]} run\` (includes the engine starting it)`,
    );

    // The process holds exactly the DaemonSet's capabilities, as root, with no_new_privs.
    const status = await processStatus(c.name);
    expect(status.uid).toBe('0');
    expect(status.noNewPrivs).toBe('1');
    expect(status.capEff).toBe(capMask(caps?.add ?? []));
    expect(status.capBnd).toBe(capMask(caps?.add ?? []));

    const { node } = rig;
    const mac = macOf(node.ns, node.ifname);
    await waitFor(
      () => {
        const macs = answeringMacs(rig.net.clientNs, 'fsp0', IP);
        return macs.length === 1 && macs[0] === mac;
      },
      { what: `ARP for ${IP} answered by the node's MAC ${mac}`, timeoutMs: 60_000, intervalMs: 200, diagnostics },
    );
    const owner = await waitFor(
      async () => {
        const items = await statusObjects(env, 'l2', 'web');
        return items.length === 1 && items[0]?.status?.node;
      },
      { what: 'the ServiceL2Status of shop/web', timeoutMs: 60_000, diagnostics },
    );
    expect(owner).toBe(node.name);
    const metrics = (await rig.get('/metrics')).body;
    expect(metrics).toMatch(/metallb_layer2_gratuitous_sent\{ip="192.0.2.200"\} [1-9]/);
    expect(await c.logs()).not.toMatch(/packet socket could not be opened/);

    // IPVS: the probe finds the image's tools; what this kernel lacks is the ip_vs module.
    const probe = await waitFor(
      async () => (await c.logs()).split('\n').find((l) => l.includes('IPVS unavailable on this node')),
      { what: "the speaker's IPVS probe to report", timeoutMs: 60_000, diagnostics },
    );
    const reported = JSON.parse(probe) as { level: number; missing: string; detail: string };
    expect(reported.level).toBe(50);
    expect(reported.missing).toBe('ip_vs');
    expect(reported.detail).toMatch(/^the kernel has no IPVS \(module ip_vs\): ipvsadm says: .*Can't initialize ipvs/);
    expect(await c.logs()).not.toMatch(/is not installed/);
    expect((await rig.get('/metrics')).body).toMatch(/^ferrolb_speaker_ipvs_available 0$/m);

    expect(await c.stop()).toBe(0);
    expect(await c.logs()).toMatch(/"msg":"stopped"/);
    await c.remove();
  });

  test('without NET_RAW: it says the packet socket cannot be opened (EPERM), is not ready, and nobody answers ARP', async () => {
    const pod = speakerPodTemplate();
    const sc = pod.containers[0]!.securityContext!;
    sc.capabilities!.add = sc.capabilities!.add!.filter((cap) => cap !== 'NET_RAW');
    const c = await rig.start(pod, 'speaker-no-raw');
    const diagnostics = async (): Promise<string> => `--- container log ---\n${await c.logs()}`;
    const line = await waitFor(
      async () => (await c.logs()).split('\n').find((l) => l.includes('layer2 packet socket could not be opened')),
      { what: 'the speaker to report that it cannot open its packet socket', timeoutMs: 60_000, diagnostics },
    );
    const entry = JSON.parse(line) as { level: number; interface: string; err: string };
    expect(entry.level).toBe(50);
    expect(entry.interface).toBe(rig.node.ifname);
    expect(entry.err).toMatch(/EPERM|not permitted/);
    expect(answeringMacs(rig.net.clientNs, 'fsp0', IP)).toEqual([]);
    // Not ready, and /readyz says why (the kubelet shows it; `--membership pods` then counts the node out).
    const ready = await waitFor(
      async () => {
        const r = await rig.get('/readyz');
        return r.status === 503 && r.body.includes('Layer 2') ? r : undefined;
      },
      { what: '/readyz to answer 503 naming Layer 2', timeoutMs: 30_000, diagnostics },
    );
    expect(ready.body).toContain(`Layer 2: no packet socket on ${rig.node.ifname} (CAP_NET_RAW missing?)`);
    expect(await c.stop()).toBe(0);
  });
});

/** /proc/<pid>/status of the container's process (uid, capability sets, no_new_privs). */
async function processStatus(
  name: string,
): Promise<{ uid: string; capEff: string; capBnd: string; noNewPrivs: string }> {
  const pid = (await exec([...e.argv, 'inspect', '--format', '{{.State.Pid}}', name])).stdout.trim();
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (k: string): string => new RegExp(`^${k}:\\s*(\\S+)`, 'm').exec(text)?.[1] ?? `no ${k}`;
  return { uid: field('Uid'), capEff: field('CapEff'), capBnd: field('CapBnd'), noNewPrivs: field('NoNewPrivs') };
}

/** Capability names → the 16-hex-digit mask /proc/<pid>/status shows (linux/capability.h numbers). */
function capMask(names: string[]): string {
  const bits: Record<string, number> = { NET_BIND_SERVICE: 10, NET_BROADCAST: 11, NET_ADMIN: 12, NET_RAW: 13 };
  let mask = 0n;
  for (const n of names) {
    const bit = bits[n];
    if (bit === undefined) throw new Error(`capMask: no number for ${n}`);
    mask |= 1n << BigInt(bit);
  }
  return mask.toString(16).padStart(16, '0');
}
