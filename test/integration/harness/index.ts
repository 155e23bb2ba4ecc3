export { startCluster, type Cluster, type ClusterOptions } from './cluster.ts';
export { locateK8sBinaries, K8S_BINARIES_SCRIPT, type K8sBinaries } from './binaries.ts';
export { apply, parseManifests, type ApplyOptions } from './apply.ts';
export { loadKubeconfig, kubeconfigYaml, writeKubeconfig, type KubeconfigSpec } from './kubeconfig.ts';
export { apiStatus, describeApiError } from './api-error.ts';
export { waitFor, type PollOptions } from './poll.ts';
