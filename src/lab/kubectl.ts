// kubectl for the commands the lab prints: the pinned one scripts/k8s-binaries.sh builds next to
// kube-apiserver, else one on PATH. Without either, the lab prints curl commands instead (both work with
// what is installed).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `kubectl` in `dirs` (the binaries folder first), then on `pathEnv`; undefined if none. */
export function findKubectl(
  dirs: readonly string[],
  pathEnv = process.env.PATH ?? '',
  isExecutable = executable,
): string | undefined {
  for (const dir of [...dirs, ...pathEnv.split(delimiter)]) {
    if (dir === '') continue;
    const candidate = join(dir, 'kubectl');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export interface LabEndpoints {
  kubectl: string | undefined;
  kubeconfigPath: string;
  server: string;
  /** Folder with ca.crt, admin.crt and admin.key (the cluster's dir). */
  certDir: string;
  metricsPort: number;
}

/** The commands the lab suggests, each runnable as printed with what this machine has. */
export function tryCommands(e: LabEndpoints): string[] {
  const metrics = `curl -s http://127.0.0.1:${e.metricsPort}/metrics | grep ^ferrolb_`;
  if (e.kubectl !== undefined) {
    const k = `${e.kubectl} --kubeconfig ${e.kubeconfigPath}`;
    return [`${k} get svc -A`, `${k} get events -n demo`, metrics];
  }
  const f = (name: string): string => join(e.certDir, name);
  const curl = `curl -s --cacert ${f('ca.crt')} --cert ${f('admin.crt')} --key ${f('admin.key')}`;
  return [
    `${curl} ${e.server}/api/v1/namespaces/demo/services/web | grep -A4 '"loadBalancer"'`,
    `${curl} ${e.server}/api/v1/namespaces/demo/events`,
    metrics,
  ];
}
