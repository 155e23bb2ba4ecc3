// Where the API server is and how to authenticate to it, read without @kubernetes/client-node (whose
// import alone costs the controller ~50 MiB of RSS): a kubeconfig file (flag, else the first file of
// $KUBECONFIG, else ~/.kube/config) or the in-cluster ServiceAccount. Supported credentials: client
// certificate, bearer token, token file (re-read by the client, as bound ServiceAccount tokens rotate).
// Exec plugins, auth providers and basic auth are refused with a message saying so.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { yaml } from '../config/yaml-lib.ts';

export interface KubeTarget {
  /** https://host:port (or http:// for tests against a plain server). */
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  /** Read for every request at most once a minute (kubelet rotates projected tokens). */
  tokenFile?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  /** Where this came from, for messages. */
  source: string;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const IN_CLUSTER_TOKEN = `${SA_DIR}/token`;

export type KubeconfigSource = { kind: 'file'; paths: string[] } | { kind: 'cluster' } | { kind: 'none'; why: string };

/**
 * Where the API credentials come from, in client-go's order: --kubeconfig, the in-cluster ServiceAccount,
 * $KUBECONFIG, ~/.kube/config. None of them: a message saying what was looked for (client-node would
 * otherwise fall back to http://localhost:8080 without a word).
 */
export function kubeconfigSource(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  exists: (path: string) => boolean,
  home: string,
): KubeconfigSource {
  if (flag !== undefined)
    return exists(flag) ? { kind: 'file', paths: [flag] } : { kind: 'none', why: `--kubeconfig ${flag}: no such file` };
  if (env.KUBERNETES_SERVICE_HOST && exists(IN_CLUSTER_TOKEN)) return { kind: 'cluster' };
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  if (listed.length > 0) {
    const found = listed.filter(exists);
    if (found.length > 0) return { kind: 'file', paths: found };
    return { kind: 'none', why: `KUBECONFIG=${env.KUBECONFIG}: no such file` };
  }
  const dflt = join(home, '.kube', 'config');
  if (exists(dflt)) return { kind: 'file', paths: [dflt] };
  return {
    kind: 'none',
    why:
      `no kubeconfig: not in a cluster (KUBERNETES_SERVICE_HOST unset or no ${IN_CLUSTER_TOKEN}), ` +
      `KUBECONFIG unset and no ${dflt}; pass --kubeconfig PATH`,
  };
}

type Json = Record<string, unknown>;

function mapping(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what} is not a mapping`);
  return v as Json;
}

function named(list: unknown, name: string, key: string, what: string): Json {
  if (!Array.isArray(list)) throw new Error(`${what}: no ${key}s list`);
  const found = list.find((e) => typeof e === 'object' && e !== null && (e as Json).name === name) as Json | undefined;
  if (!found) throw new Error(`${what}: ${key} "${name}" not found`);
  return mapping(found[key] ?? {}, `${what}: ${key} "${name}"`);
}

/** `<field>-data` (base64) or `<field>` (a path, relative to the kubeconfig's folder). */
function material(m: Json, field: string, base: string): Buffer | undefined {
  const data = m[`${field}-data`];
  if (typeof data === 'string' && data !== '') return Buffer.from(data, 'base64');
  const path = m[field];
  if (typeof path === 'string' && path !== '') return readFileSync(isAbsolute(path) ? path : join(base, path));
  return undefined;
}

/** JSON (what `kubectl config view -o json` writes) without the YAML parser; YAML (JSON's superset) otherwise. */
function readDocument(text: string): unknown {
  if (text.trimStart().startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      // a YAML flow mapping ({apiVersion: v1, ...}): the YAML parser reads it, or says where it is wrong
    }
  }
  return yaml().parse(text);
}

export function parseKubeconfig(text: string, path: string): KubeTarget {
  const doc = mapping(readDocument(text), `kubeconfig ${path}`);
  const contextName = doc['current-context'];
  if (typeof contextName !== 'string' || contextName === '') throw new Error(`kubeconfig ${path}: no current-context`);
  const context = named(doc.contexts, contextName, 'context', `kubeconfig ${path}`);
  const cluster = named(doc.clusters, String(context.cluster ?? ''), 'cluster', `kubeconfig ${path}`);
  const user = context.user === undefined ? {} : named(doc.users, String(context.user), 'user', `kubeconfig ${path}`);
  const server = cluster.server;
  if (typeof server !== 'string' || !/^https?:\/\//.test(server))
    throw new Error(`kubeconfig ${path}: cluster has no https:// server`);
  for (const unsupported of ['exec', 'auth-provider', 'username', 'password']) {
    if (user[unsupported] !== undefined) {
      throw new Error(
        `kubeconfig ${path}: user "${unsupported}" credentials are not supported by the controller; use a token or a client certificate`,
      );
    }
  }
  const base = dirname(path);
  const target: KubeTarget = { server: server.replace(/\/+$/, ''), source: path };
  const ca = material(cluster, 'certificate-authority', base);
  if (ca) target.ca = ca;
  const cert = material(user, 'client-certificate', base);
  const key = material(user, 'client-key', base);
  if (cert) target.cert = cert;
  if (key) target.key = key;
  if (typeof user.token === 'string' && user.token !== '') target.token = user.token;
  if (typeof user.tokenFile === 'string' && user.tokenFile !== '')
    target.tokenFile = isAbsolute(user.tokenFile) ? user.tokenFile : join(base, user.tokenFile);
  if (cluster['insecure-skip-tls-verify'] === true) target.insecureSkipTlsVerify = true;
  if (typeof cluster['tls-server-name'] === 'string') target.tlsServerName = cluster['tls-server-name'];
  return target;
}

/** The flag's kubeconfig, else the in-cluster ServiceAccount, else $KUBECONFIG / ~/.kube/config (kubeconfigSource). */
export function loadKubeTarget(path: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeTarget {
  const source = kubeconfigSource(path, env, existsSync, homedir());
  if (source.kind === 'none') throw new Error(source.why);
  if (source.kind === 'cluster') {
    const host = env.KUBERNETES_SERVICE_HOST ?? '';
    const port = env.KUBERNETES_SERVICE_PORT ?? '443';
    return {
      server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
      ca: readFileSync(join(SA_DIR, 'ca.crt')),
      tokenFile: IN_CLUSTER_TOKEN,
      source: 'in-cluster ServiceAccount',
    };
  }
  const file = source.paths[0]!;
  return parseKubeconfig(readFileSync(file, 'utf8'), file);
}
