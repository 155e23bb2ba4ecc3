// startCluster(): a real etcd + kube-apiserver in a temp dir, with an admin kubeconfig, generic apply,
// ServiceAccount kubeconfigs, API server restart, and cleanup (also on process exit).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { apply, type ApplyOptions } from './apply.ts';
import { startApiServer as launchApiServer } from './apiserver.ts';
import { locateK8sBinaries } from './binaries.ts';
import { logTail, type Daemon } from './daemon.ts';
import { startEtcd } from './etcd.ts';
import { freeLoopbackPort } from './free-port.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { createPki, type Pki } from './pki.ts';
import { serviceAccountToken, type TokenOptions } from './service-account.ts';
import { parseCidr, formatIp } from '../net/ip.ts';

export interface ClusterOptions {
  /**
   * ClusterIP range(s), comma-separated (dual-stack: IPv4 first). Configuration only: no traffic ever
   * goes to these addresses. Default: 10.96.0.0/16,fd00:10:96::/112 — kept out of the documentation
   * ranges because those are what tests hand to FerroLB as load-balancer pools.
   */
  serviceClusterIpRange?: string;
  /** More kube-apiserver flags (appended last, so they win). */
  extraApiServerArgs?: string[];
  /** Bound for etcd and kube-apiserver to become ready (default 120 s each: 2 shared cores). */
  readyTimeoutMs?: number;
  /** Keep the temp dir (logs, certs, etcd data) after stop(); also FERROLB_KEEP_K8S_DIR=1. */
  keepDir?: boolean;
}

export interface Cluster {
  /** Temp dir with certs, kubeconfigs, etcd data and the logs etcd.log / kube-apiserver.log. */
  readonly dir: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly caPem: string;
  readonly etcdUrl: string;
  /** Admin (system:masters, client cert) config for @kubernetes/client-node. */
  readonly kubeConfig: KubeConfig;
  /** The same admin config on disk, for child processes. */
  readonly kubeconfigPath: string;
  /** Create-or-replace every object of a multi-document YAML, as admin; waits for CRDs to be Established. */
  apply(yamlText: string, opts?: ApplyOptions): Promise<KubernetesObject[]>;
  /** Ensures the ServiceAccount exists, gets a TokenRequest token and returns a kubeconfig path using it. */
  serviceAccountKubeconfig(namespace: string, name: string, opts?: TokenOptions): Promise<string>;
  /**
   * Stops kube-apiserver (etcd keeps running): SIGTERM and a graceful shutdown, or with `kill: true`
   * SIGKILL at once (a crash: open watches just break).
   */
  stopApiServer(opts?: { kill?: boolean }): Promise<void>;
  /** Starts kube-apiserver again on the same port with the same flags; resolves when /readyz is 200. */
  startApiServer(): Promise<void>;
  /** Process ids of the running daemons (undefined when stopped), e.g. to check cleanup. */
  processIds(): { etcd?: number; kubeApiserver?: number };
  /** The last lines of both logs, for failure messages. */
  logTails(lines?: number): string;
  /** Kills both processes and removes the temp dir (unless kept). Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_SERVICE_RANGE = '10.96.0.0/16,fd00:10:96::/112';

/** subjectAltNames for the first address of each service range (the `kubernetes` Service's ClusterIP). */
function firstServiceIpSans(ranges: string): string[] {
  return ranges.split(',').map((r) => {
    const cidr = parseCidr(r);
    if (typeof cidr === 'string') throw new Error(`startCluster: serviceClusterIpRange: ${cidr}`);
    return `IP:${formatIp(cidr.family, cidr.first + 1n)}`;
  });
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const serviceRange = opts.serviceClusterIpRange ?? DEFAULT_SERVICE_RANGE;
  const sans = firstServiceIpSans(serviceRange);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
  const keepDir = opts.keepDir ?? process.env.FERROLB_KEEP_K8S_DIR === '1';
  const bins = await locateK8sBinaries();

  const dir = mkdtempSync(join(tmpdir(), 'ferrolb-k8s-'));
  let etcd: Daemon | undefined;
  let apiserver: Daemon | undefined;
  let stopped = false;
  const killAllNow = (): void => {
    apiserver?.killNow();
    etcd?.killNow();
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killAllNow);
  const logTails = (lines = 40): string =>
    [
      `--- ${join(dir, 'etcd.log')} ---`,
      logTail(join(dir, 'etcd.log'), lines),
      `--- ${join(dir, 'kube-apiserver.log')} ---`,
      logTail(join(dir, 'kube-apiserver.log'), lines),
    ].join('\n');
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await apiserver?.stop();
    await etcd?.stop();
    process.removeListener('exit', killAllNow);
    if (!keepDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    const pki: Pki = await createPki(dir, { servingSans: sans });
    const started = await startEtcd({ binary: bins.etcd, dir, readyTimeoutMs });
    etcd = started.daemon;
    const etcdUrl = started.clientUrl;

    let securePort = 0;
    const launch = () =>
      launchApiServer({
        binary: bins.kubeApiserver,
        dir,
        pki,
        etcdUrl,
        securePort,
        serviceClusterIpRange: serviceRange,
        extraArgs: opts.extraApiServerArgs ?? [],
        readyTimeoutMs,
      });
    for (let attempt = 1; apiserver === undefined; attempt++) {
      securePort = await freeLoopbackPort();
      try {
        apiserver = await launch();
      } catch (err) {
        const lostPortRace = /address already in use/.test(logTail(join(dir, 'kube-apiserver.log'), 20));
        if (!lostPortRace || attempt >= 3) throw err;
      }
    }

    const server = `https://127.0.0.1:${securePort}`;
    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    const kubeConfig = writeKubeconfig(kubeconfigPath, {
      server,
      caPem: pki.caPem,
      userName: 'ferrolb-admin',
      credentials: { kind: 'clientCert', certPem: pki.adminCertPem, keyPem: pki.adminKeyPem },
    });

    return {
      dir,
      server,
      caPem: pki.caPem,
      etcdUrl,
      kubeConfig,
      kubeconfigPath,
      logTails,
      stop,
      processIds: () => ({
        etcd: etcd?.exited() === undefined ? etcd?.pid : undefined,
        kubeApiserver: apiserver?.exited() === undefined ? apiserver?.pid : undefined,
      }),
      apply: (yamlText, applyOpts) => apply(kubeConfig, yamlText, applyOpts),
      async serviceAccountKubeconfig(namespace, name, tokenOpts) {
        const token = await serviceAccountToken(kubeConfig, namespace, name, tokenOpts);
        const path = join(dir, `sa-${namespace}-${name}.kubeconfig`);
        writeKubeconfig(path, {
          server,
          caPem: pki.caPem,
          userName: `system:serviceaccount:${namespace}:${name}`,
          credentials: { kind: 'token', token },
          namespace,
        });
        return path;
      },
      async stopApiServer(stopOpts) {
        await apiserver?.stop(stopOpts?.kill ? 0 : undefined);
      },
      async startApiServer() {
        if (stopped) throw new Error('startApiServer: the cluster was stopped');
        if (apiserver !== undefined && apiserver.exited() === undefined) {
          throw new Error('startApiServer: kube-apiserver is still running (call stopApiServer first)');
        }
        apiserver = await launch();
      },
    };
  } catch (err) {
    const tails = logTails();
    await stop();
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`startCluster failed: ${message}\n${keepDir ? `(kept ${dir})\n` : ''}${tails}`);
  }
}
