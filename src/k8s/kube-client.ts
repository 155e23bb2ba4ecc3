// Building the API clients: a kubeconfig file (flag), else the in-cluster service account, else the
// default kubeconfig lookup. One place so main.ts and the lab share it.
import { CoreV1Api, CustomObjectsApi, KubeConfig, Watch, type Cluster } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import type { WatchFn } from './informer.ts';

export interface KubeClients {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  watch: WatchFn;
  server: string;
}

type CreateDispatcher = (cluster: Cluster | null, agentOptions: Record<string, unknown>) => unknown;

/**
 * client-node 2.0.1 builds a new undici Agent for every request (its private createDispatcher is not
 * cached), so every API call pays a fresh TCP + TLS handshake and no connection is ever reused: under
 * load the controller spent most of its CPU in TLS setup. This wraps that method on one KubeConfig
 * instance to keep one dispatcher per distinct cluster + TLS material (a rotated certificate gets a new
 * one), so connections are pooled and kept alive. If a client-node upgrade renames the method, this
 * does nothing (and the unit test of it fails).
 */
export function poolConnections(kc: KubeConfig): KubeConfig {
  const target = kc as unknown as { createDispatcher?: CreateDispatcher };
  const original = target.createDispatcher;
  if (typeof original !== 'function') return kc;
  const cache = new Map<string, unknown>();
  target.createDispatcher = (cluster, agentOptions) => {
    const material = JSON.stringify([
      cluster?.server ?? '',
      cluster?.proxyUrl ?? '',
      ...['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'].map((k) => {
        const v = agentOptions[k];
        return Buffer.isBuffer(v) ? v.toString('base64') : (v ?? null);
      }),
    ]);
    const key = createHash('sha256').update(material).digest('hex');
    if (cache.has(key)) return cache.get(key);
    const created = original.call(kc, cluster, agentOptions);
    cache.set(key, created);
    return created;
  };
  return kc;
}

import { kubeconfigSource } from './kubeconfig.ts';

export { kubeconfigSource, type KubeconfigSource } from './kubeconfig.ts';

export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  const source = kubeconfigSource(path, process.env, existsSync, homedir());
  if (source.kind === 'none') throw new Error(source.why);
  if (source.kind === 'cluster') kc.loadFromCluster();
  else if (source.paths.length === 1) kc.loadFromFile(source.paths[0] as string);
  else kc.loadFromDefault(); // several files in $KUBECONFIG: client-node merges them
  if (!kc.getCurrentCluster()) throw new Error(`kubeconfig ${path ?? '(default)'}: no current cluster`);
  return poolConnections(kc);
}

export function makeClients(kc: KubeConfig): KubeClients {
  const watcher = new Watch(kc);
  return {
    kubeConfig: kc,
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    watch: (path, params, onEvent, onDone) => watcher.watch(path, params, onEvent, onDone),
    server: kc.getCurrentCluster()?.server ?? '',
  };
}
