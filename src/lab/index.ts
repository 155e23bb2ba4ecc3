// The lab: a cluster in a box on this machine — a real etcd + kube-apiserver (certificates, admin and
// ServiceAccount kubeconfigs), the controller as a child process, the manifests. `ferrolb lab`, the
// integration tests and the benchmarks all run on it. (The BGP daemon lab is src/lab/bgp.)
//
//   const cluster = await startCluster();            // fails loudly if scripts/k8s-binaries.sh was not run
//   await cluster.apply(yamlText);                   // create-or-replace, CRDs awaited until Established
//   const core = cluster.kubeConfig.makeApiClient(CoreV1Api);            // admin (system:masters)
//   const saPath = await cluster.serviceAccountKubeconfig('ns', 'ferrolb-controller'); // runs under RBAC
//   child_process.spawn(..., { env: { ...process.env, KUBECONFIG: saPath } });
//   await cluster.stopApiServer(); await cluster.startApiServer();       // restart, etcd kept
//   await cluster.stop();                                                // also done on process exit
export { startCluster, type Cluster, type ClusterOptions } from './cluster.ts';
export { locateK8sBinaries, K8S_BINARIES_SCRIPT, type K8sBinaries } from './binaries.ts';
export { apply, parseManifests, type ApplyOptions } from './apply.ts';
export { loadKubeconfig, kubeconfigText, writeKubeconfig, type KubeconfigSpec } from './kubeconfig.ts';
export { apiStatus, describeApiError } from './api-error.ts';
export { sleep, staysFalse, waitFor, type PollOptions } from './poll.ts';
export { freeLoopbackPort, freeLoopbackPorts } from './free-port.ts';
export { installManifestFiles, installManifests, legacyConfigMap, MANIFESTS } from './manifests.ts';
export {
  CONTROLLER_MAIN,
  httpGet,
  metricValue,
  PROJECT_NODE,
  startControllerChild,
  type ControllerChild,
  type ControllerChildOptions,
} from './controller-child.ts';
export { findKubectl, tryCommands, type LabEndpoints } from './kubectl.ts';
