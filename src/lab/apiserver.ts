// kube-apiserver for one test cluster: loopback only, RBAC, client-cert admin in system:masters,
// service-account tokens signed with the cluster's key. Its port is kept across restarts so every
// kubeconfig written for the cluster stays valid.
import { join } from 'node:path';
import { logTail, startDaemon, type Daemon } from './daemon.ts';
import { httpsGet } from './https-get.ts';
import type { Pki } from './pki.ts';
import { waitFor } from './poll.ts';

export interface ApiServerOptions {
  binary: string;
  dir: string;
  pki: Pki;
  etcdUrl: string;
  securePort: number;
  serviceClusterIpRange: string;
  extraArgs: readonly string[];
  readyTimeoutMs: number;
}

export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export function apiServerArgs(o: ApiServerOptions): string[] {
  return [
    `--etcd-servers=${o.etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${o.securePort}`,
    `--cert-dir=${join(o.dir, 'apiserver-certs')}`,
    `--tls-cert-file=${o.pki.servingCertPath}`,
    `--tls-private-key-file=${o.pki.servingKeyPath}`,
    `--client-ca-file=${o.pki.caCertPath}`,
    '--authorization-mode=RBAC',
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${o.pki.saPubPath}`,
    `--service-account-signing-key-file=${o.pki.saKeyPath}`,
    `--service-cluster-ip-range=${o.serviceClusterIpRange}`,
    '--allow-privileged=true',
    // The default reconciler writes 127.0.0.1 into Endpoints "kubernetes", which validation rejects
    // (loopback) every few seconds; nothing here needs that Service's endpoints.
    '--endpoint-reconciler-type=none',
    ...o.extraArgs,
  ];
}

/** Starts kube-apiserver and resolves once /readyz answers 200 (or throws with its log tail). */
export async function startApiServer(o: ApiServerOptions): Promise<Daemon> {
  const logPath = join(o.dir, 'kube-apiserver.log');
  const daemon = startDaemon('kube-apiserver', o.binary, apiServerArgs(o), logPath);
  const url = `https://127.0.0.1:${o.securePort}/readyz`;
  let last = '';
  try {
    await waitFor(
      async () => {
        const res = await httpsGet(url, { caPem: o.pki.caPem, certPem: o.pki.adminCertPem, keyPem: o.pki.adminKeyPem });
        last = `HTTP ${res.status}: ${res.body.slice(-2_000)}`;
        return res.status === 200;
      },
      {
        what: `kube-apiserver ${url}`,
        timeoutMs: o.readyTimeoutMs,
        intervalMs: 250,
        abort: daemon.exited,
        diagnostics: () => `last /readyz answer: ${last || '(none)'}\n${logTail(logPath)}`,
      },
    );
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  return daemon;
}
