// `ferrolb lab [--once] [--keep]`: a cluster in a box on this machine. Starts a real etcd + kube-apiserver
// (the lab, src/lab), applies manifests/, runs the controller under its own ServiceAccount and, as root,
// the speaker demo (src/lab/speaker-demo.ts: three speaker nodes, BIRD, a client, a measured failover),
// then stops (or stays up with --keep). --once: controller and example pools only, print the demo
// Service's IPs and exit. Without the binaries it builds them (and kubectl) once with Go,
// showing steps and elapsed time (cached under ~/.cache/ferrolb/k8s); without Go either, it says exactly
// what is missing. The commands it prints use the pinned kubectl (or curl when there is none).
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine, usageFailure } from './flags.ts';
import type { CliIo } from './io.ts';

const BUILD_SCRIPT = fileURLToPath(new URL('../../scripts/k8s-binaries.sh', import.meta.url));
export const LAB_USAGE = `usage: ferrolb lab [--once] [--keep]
  A cluster in a box on this machine: a real etcd + kube-apiserver on loopback, manifests/ applied, the
  controller under its own ServiceAccount and, as root, three speaker "nodes" (network namespaces on a
  bridge, Node objects in the API server), a BIRD router and a client namespace: a Layer 2 demo Service
  is reached from the client, a BGP one is routed by BIRD through every node, then the Layer 2 owner is
  killed and the failover the client saw is printed. The first run builds kube-apiserver, etcd and
  kubectl with Go (10-15 minutes on 2 cores; cached under ~/.cache/ferrolb/k8s), or uses KUBEBUILDER_ASSETS.
  --keep       leave the whole system up to explore until Ctrl-C (default: stop after the demo)
  --once       only the API server, the controller and the example pools (no root needed); exit after
               printing the demo Service's IPs (without it and without root: keep running until Ctrl-C)
  -h, --help   this text
`;

function goVersion(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('go', ['version'], { timeout: 10_000 }, (err, stdout) => resolve(err ? undefined : stdout.trim()));
  });
}

/**
 * Runs the pinned build (its steps and, every 30 s, elapsed time and packages compiled, on stderr);
 * resolves with its exit code and the folder it printed last. KUBEBUILDER_ASSETS is not passed on, so
 * the build goes to the cache (used for a kubectl next to user-supplied kube-apiserver and etcd).
 */
function buildK8sBinaries(io: CliIo): Promise<{ code: number; dir: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.KUBEBUILDER_ASSETS;
    const child = spawn('bash', [BUILD_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => io.stderr(chunk));
    child.on('error', () => resolve({ code: 127, dir: '' }));
    child.on('close', (code) => resolve({ code: code ?? 1, dir: out.trim().split('\n').at(-1)?.trim() ?? '' }));
  });
}

export async function labCommand(args: string[], io: CliIo): Promise<number> {
  let once: boolean;
  let keep: boolean;
  try {
    const { values } = parseCommandLine(args, { once: { type: 'boolean' }, keep: { type: 'boolean' } });
    if (values.help) {
      io.stdout(LAB_USAGE);
      return 0;
    }
    once = values.once ?? false;
    keep = values.keep ?? false;
  } catch (err) {
    return usageFailure(io, 'lab', err, LAB_USAGE);
  }

  // The lab (and the Kubernetes client under it) is loaded only for this command.
  const harness = await import('../lab/index.ts');
  let binsDir: string;
  try {
    binsDir = (await harness.locateK8sBinaries()).dir;
  } catch (err) {
    const go = await goVersion();
    if (go === undefined) {
      io.stderr(
        `ferrolb lab: ${(err as Error).message.trim()}\n` +
          `Go is not installed either (no \`go\` in PATH), so they cannot be built here: install Go (https://go.dev/dl/) or copy prebuilt binaries.\n` +
          `Then build them once (needs the Go module proxy; cached under ~/.cache/ferrolb/k8s):\n` +
          `  bash ${BUILD_SCRIPT}\n` +
          `or point KUBEBUILDER_ASSETS at a folder holding kube-apiserver and etcd.\n`,
      );
      return 1;
    }
    io.stdout(
      `kube-apiserver, etcd and kubectl are not built yet: building them once with ${go}.\n` +
        `This takes 10-15 minutes on a 2-core machine (most of it kube-apiserver); progress every 30 s below.\n` +
        `Later runs start in seconds (cached under ~/.cache/ferrolb/k8s).\n`,
    );
    const { code } = await buildK8sBinaries(io);
    if (code !== 0) {
      io.stderr(
        `ferrolb lab: building kube-apiserver and etcd failed (exit ${code}, see above); retry with: bash ${BUILD_SCRIPT}\n`,
      );
      return 1;
    }
    binsDir = (await harness.locateK8sBinaries()).dir;
  }
  let kubectl = harness.findKubectl([binsDir]);
  if (kubectl === undefined && (await goVersion()) !== undefined) {
    io.stdout('kubectl is not installed: building the pinned kubectl once (a few minutes; progress below)\n');
    const built = await buildK8sBinaries(io);
    kubectl = built.code === 0 ? harness.findKubectl([built.dir]) : undefined;
    if (kubectl === undefined)
      io.stderr(`ferrolb lab: building kubectl failed (see above); the commands below use curl instead\n`);
  }

  const { CoreV1Api } = await import('@kubernetes/client-node');
  const { freeLoopbackPort, startControllerChild } = harness;
  io.stdout('starting etcd and kube-apiserver...\n');
  const cluster = await harness.startCluster();
  let controller: ReturnType<typeof startControllerChild> | undefined;
  // The speakers need network namespaces (root); --once is the quick controller-only check.
  const speakers = !once && process.getuid?.() === 0;
  let demo: import('../lab/speaker-demo.ts').SpeakerDemo | undefined;
  const shutdown = async (): Promise<void> => {
    await demo?.lab.stop();
    if (controller && controller.exited() === undefined) {
      controller.kill('SIGTERM');
      await controller.waitExit();
    }
    await cluster.stop();
  };
  try {
    // With speakers the configuration is the speaker lab's (metallb.io objects), not the example ConfigMap.
    for (const f of [...harness.installManifestFiles(), ...(speakers ? [] : ['example-config.yaml'])]) {
      await cluster.apply(readFileSync(join(harness.MANIFESTS, f), 'utf8'));
      io.stdout(`applied manifests/${f}\n`);
    }
    if (speakers) {
      const { LAB_SPEAKER_CONFIG } = await import('../lab/speaker-lab.ts');
      await cluster.apply(LAB_SPEAKER_CONFIG);
      io.stdout(
        'applied the speaker lab pools (IPAddressPool lan 192.0.2.200-250 in Layer 2, wan 203.0.113.1-62 over BGP to BIRD)\n',
      );
    }
    const saKubeconfig = await cluster.serviceAccountKubeconfig('ferrolb-system', 'controller');
    const port = await freeLoopbackPort();
    controller = startControllerChild({
      kubeconfig: saKubeconfig,
      metricsPort: port,
      logPath: join(cluster.dir, 'controller.log'),
    });
    const child = controller;
    await harness.waitFor(async () => (await child.get('/readyz')).status === 200, {
      what: 'the controller to be ready',
      timeoutMs: 60_000,
      abort: () => child.exited(),
      diagnostics: () => child.logTail(),
    });
    io.stdout(`controller ready (pid ${child.pid}, metrics http://127.0.0.1:${port}/metrics)\n`);

    if (speakers) {
      const { runSpeakerDemo } = await import('../lab/speaker-demo.ts');
      demo = await runSpeakerDemo(cluster, io, { prefix: `fsplab${process.pid % 10000}`, membership: 'memberlist' });
      if (!keep) return 0;
      const n1 = demo.lab.net.nodes[0]!;
      io.stdout(
        `\nThe lab keeps running. Try:\n` +
          `  ip netns exec ${demo.lab.net.clientNs} ping -c 3 ${demo.l2Ip}\n` +
          `  ip netns exec ${demo.lab.net.clientNs} ip neigh show ${demo.l2Ip}\n` +
          `  birdc -s ${demo.lab.bird.socket} show route for ${demo.bgpIp}/32 all\n` +
          `  npx ferrolb status --kubeconfig ${cluster.kubeconfigPath}\n` +
          `  curl -s --unix-socket ${demo.lab.metricsSocket(n1)} http://x/metrics | grep ^metallb_\n` +
          `speaker logs: ${cluster.dir}/speaker-node-*.log\nCtrl-C to stop.\n`,
      );
      const signal = await new Promise<string>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      io.stdout(`\n${signal}: stopping\n`);
      return 0;
    }

    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'demo' } } });
    await core.createNamespacedService({
      namespace: 'demo',
      body: {
        metadata: { name: 'web', namespace: 'demo' },
        spec: {
          type: 'LoadBalancer',
          ipFamilyPolicy: 'PreferDualStack',
          ipFamilies: ['IPv4', 'IPv6'],
          selector: { app: 'web' },
          ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
        },
      },
    });
    const svc = await harness.waitFor(
      async () => {
        const s = await core.readNamespacedService({ name: 'web', namespace: 'demo' });
        const annotated = s.metadata?.annotations?.['metallb.io/ip-allocated-from-pool'] !== undefined;
        return (s.status?.loadBalancer?.ingress ?? []).length > 0 && annotated ? s : undefined;
      },
      { what: 'demo/web to get an IP and its pool annotation', timeoutMs: 30_000, diagnostics: () => child.logTail() },
    );
    const ips = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter(Boolean);
    const pool = svc.metadata?.annotations?.['metallb.io/ip-allocated-from-pool'];
    io.stdout(`Service demo/web: ${ips.join(', ')} (pool ${pool})\n`);
    if (once) return 0;

    const commands = harness.tryCommands({
      kubectl,
      kubeconfigPath: cluster.kubeconfigPath,
      server: cluster.server,
      certDir: cluster.dir,
      metricsPort: port,
    });
    io.stdout(
      `\nThe lab keeps running. Try:\n${commands.map((c) => `  ${c}\n`).join('')}controller log: ${child.logPath}\nCtrl-C to stop.\n`,
    );
    const signal = await new Promise<string>((resolve) => {
      const on = (s: string) => () => resolve(s);
      process.once('SIGINT', on('SIGINT'));
      process.once('SIGTERM', on('SIGTERM'));
      void child.waitExit().then((why) => resolve(`controller ${why}`));
    });
    io.stdout(`\n${signal}: stopping\n`);
    return child.exited() === undefined || signal.startsWith('SIG') ? 0 : 1;
  } catch (err) {
    io.stderr(`ferrolb lab: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await shutdown();
  }
}
