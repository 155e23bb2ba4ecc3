// Building the API clients: a kubeconfig file (flag), else the in-cluster service account, else the
// default kubeconfig lookup. One place so main.ts and the lab share it.
import { CoreV1Api, CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import type { WatchFn } from './informer.ts';

export interface KubeClients {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  watch: WatchFn;
  server: string;
}

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path !== undefined) {
    if (!existsSync(path)) throw new Error(`--kubeconfig ${path}: no such file`);
    kc.loadFromFile(path);
  } else if (process.env.KUBERNETES_SERVICE_HOST && existsSync(IN_CLUSTER_TOKEN)) {
    kc.loadFromCluster();
  } else {
    kc.loadFromDefault();
  }
  if (!kc.getCurrentCluster()) throw new Error(`kubeconfig ${path ?? '(default)'}: no current cluster`);
  return kc;
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
