// `ferrolb lab [--once]`: a cluster in a box on this machine. Starts a real etcd + kube-apiserver (the
// lab, src/lab), applies manifests/ and the example pools, runs the controller under its
// own ServiceAccount, creates a demo LoadBalancer Service, prints the IP it got, then keeps running until
// Ctrl-C (or exits at once with --once). Without the binaries it builds them once with Go (cached
// under ~/.cache/ferrolb/k8s); without Go either, it says exactly what is missing.
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine, usageFailure } from './flags.ts';
import type { CliIo } from './io.ts';

const MANIFESTS = fileURLToPath(new URL('../../manifests/', import.meta.url));
const BUILD_SCRIPT = fileURLToPath(new URL('../../scripts/k8s-binaries.sh', import.meta.url));
export const LAB_USAGE = `usage: ferrolb lab [--once]
  A cluster in a box on this machine: a real etcd + kube-apiserver on loopback, manifests/ and the example
  pools applied, the controller under its own ServiceAccount, and a demo LoadBalancer Service whose IPs
  are printed. The first run builds kube-apiserver, etcd and kubectl with Go (10-15 minutes on 2 cores;
  cached under ~/.cache/ferrolb/k8s), or uses KUBEBUILDER_ASSETS.
  --once       exit after printing the demo Service's IPs (default: keep running until Ctrl-C)
  -h, --help   this text
`;

function goVersion(): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('go', ['version'], { timeout: 10_000 }, (err, stdout) => resolve(err ? undefined : stdout.trim()));
  });
}

/** Runs the pinned build (progress on stderr); resolves with its exit code. */
function buildK8sBinaries(io: CliIo): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('bash', [BUILD_SCRIPT], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => io.stderr(chunk));
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

export async function labCommand(args: string[], io: CliIo): Promise<number> {
  let once: boolean;
  try {
    const { values } = parseCommandLine(args, { once: { type: 'boolean' } });
    if (values.help) {
      io.stdout(LAB_USAGE);
      return 0;
    }
    once = values.once ?? false;
  } catch (err) {
    return usageFailure(io, 'lab', err, LAB_USAGE);
  }

  // The lab (and the Kubernetes client under it) is loaded only for this command.
  const harness = await import('../lab/index.ts');
  try {
    await harness.locateK8sBinaries();
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
    io.stdout(`kube-apiserver and etcd are not built yet: building them once with ${go} (a few minutes; cached under ~/.cache/ferrolb/k8s)\n`);
    const code = await buildK8sBinaries(io);
    if (code !== 0) {
      io.stderr(`ferrolb lab: building kube-apiserver and etcd failed (exit ${code}, see above); retry with: bash ${BUILD_SCRIPT}\n`);
      return 1;
    }
    await harness.locateK8sBinaries();
  }

  const { CoreV1Api } = await import('@kubernetes/client-node');
  const { freeLoopbackPort, startControllerChild } = harness;
  io.stdout('starting etcd and kube-apiserver...\n');
  const cluster = await harness.startCluster();
  let controller: ReturnType<typeof startControllerChild> | undefined;
  const shutdown = async (): Promise<void> => {
    if (controller && controller.exited() === undefined) {
      controller.kill('SIGTERM');
      await controller.waitExit();
    }
    await cluster.stop();
  };
  try {
    const files = readdirSync(MANIFESTS).filter((f) => f.endsWith('.yaml')).sort();
    const install = files.filter((f) => /^\d\d-/.test(f));
    if (install.length === 0 || !files.includes('example-config.yaml')) {
      throw new Error(`${MANIFESTS} holds no numbered manifests or no example-config.yaml`);
    }
    for (const f of [...install, 'example-config.yaml']) {
      await cluster.apply(readFileSync(join(MANIFESTS, f), 'utf8'));
      io.stdout(`applied manifests/${f}\n`);
    }
    const saKubeconfig = await cluster.serviceAccountKubeconfig('ferrolb-system', 'controller');
    const port = await freeLoopbackPort();
    controller = startControllerChild({ kubeconfig: saKubeconfig, metricsPort: port, logPath: join(cluster.dir, 'controller.log') });
    const child = controller;
    await harness.waitFor(async () => (await child.get('/readyz')).status === 200, {
      what: 'the controller to be ready',
      timeoutMs: 60_000,
      abort: () => child.exited(),
      diagnostics: () => child.logTail(),
    });
    io.stdout(`controller ready (pid ${child.pid}, metrics http://127.0.0.1:${port}/metrics)\n`);

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

    io.stdout(
      `\nThe lab keeps running. Try:\n` +
        `  kubectl --kubeconfig ${cluster.kubeconfigPath} get svc -A\n` +
        `  kubectl --kubeconfig ${cluster.kubeconfigPath} get events -n demo\n` +
        `  curl -s http://127.0.0.1:${port}/metrics | grep ^ferrolb_\n` +
        `controller log: ${child.logPath}\nCtrl-C to stop.\n`,
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
