// Kubeconfig files for the test cluster: one text, written to disk (for child processes and kubectl-like
// use) and loaded into @kubernetes/client-node from that same text, so both always agree. JSON, which
// every kubeconfig reader takes (it is YAML too): a speaker started with it reads it with JSON.parse and
// never runs the YAML parser, as in a cluster, where it has no kubeconfig at all.
import { writeFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

export type KubeconfigCredentials =
  { kind: 'clientCert'; certPem: string; keyPem: string } | { kind: 'token'; token: string };

export interface KubeconfigSpec {
  server: string;
  caPem: string;
  userName: string;
  credentials: KubeconfigCredentials;
  /** Default namespace of the context. */
  namespace?: string;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

export function kubeconfigText(spec: KubeconfigSpec): string {
  const user =
    spec.credentials.kind === 'token'
      ? { token: spec.credentials.token }
      : { 'client-certificate-data': b64(spec.credentials.certPem), 'client-key-data': b64(spec.credentials.keyPem) };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'ferrolb-test', cluster: { server: spec.server, 'certificate-authority-data': b64(spec.caPem) } },
    ],
    users: [{ name: spec.userName, user }],
    contexts: [
      {
        name: spec.userName,
        context: {
          cluster: 'ferrolb-test',
          user: spec.userName,
          ...(spec.namespace ? { namespace: spec.namespace } : {}),
        },
      },
    ],
    'current-context': spec.userName,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Writes the kubeconfig (mode 0600: it holds credentials) and returns the matching KubeConfig. */
export function writeKubeconfig(path: string, spec: KubeconfigSpec): KubeConfig {
  const text = kubeconfigText(spec);
  writeFileSync(path, text, { mode: 0o600 });
  const kc = new KubeConfig();
  kc.loadFromString(text);
  return kc;
}

/** Loads a kubeconfig file written by this harness (or any kubeconfig). */
export function loadKubeconfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}
