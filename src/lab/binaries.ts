// Where kube-apiserver and etcd live: asks scripts/k8s-binaries.sh --check (never builds; a missing
// build is an error carrying the script's own message, so tests fail loudly instead of skipping).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const K8S_BINARIES_SCRIPT = fileURLToPath(new URL('../../scripts/k8s-binaries.sh', import.meta.url));

export interface K8sBinaries {
  dir: string;
  kubeApiserver: string;
  etcd: string;
}

/** `env` defaults to this process's environment (KUBEBUILDER_ASSETS, FERROLB_CACHE, HOME). */
export async function locateK8sBinaries(env: NodeJS.ProcessEnv = process.env): Promise<K8sBinaries> {
  let stdout: string;
  try {
    ({ stdout } = await run('bash', [K8S_BINARIES_SCRIPT, '--check'], { timeout: 60_000, env }));
  } catch (err) {
    const e = err as Error & { stderr?: string };
    const why = (e.stderr ?? '').trim() || e.message;
    throw new Error(`kube-apiserver/etcd binaries are missing (${K8S_BINARIES_SCRIPT} --check):\n${why}`);
  }
  const dir = stdout.trim().split('\n').at(-1)?.trim() ?? '';
  if (dir === '') throw new Error(`${K8S_BINARIES_SCRIPT} --check printed no folder`);
  return { dir, kubeApiserver: join(dir, 'kube-apiserver'), etcd: join(dir, 'etcd') };
}
