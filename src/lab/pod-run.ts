// A Pod template's container as `podman run` / `docker run` options, the way kubelet would start it:
// user, capabilities, read-only root and no_new_privs from the securityContext (the container's over
// the Pod's), the command as the entry point and the args with $(VAR) expanded, env with the downward
// API resolved, emptyDir volumes as tmpfs mounts, host network as the given network namespace. The image
// test and benchmark run the speaker with what manifests/07 says, not with a copy of it.
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';

export interface PodFacts {
  /** spec.nodeName, metadata.name, metadata.namespace, status.hostIP, status.podIP: what fieldRefs read. */
  fields: Record<string, string>;
  /** The network namespace standing for the node's host network (hostNetwork: true). */
  netnsPath: string;
  /** Extra run options (e.g. the ServiceAccount mount, KUBERNETES_SERVICE_HOST). */
  extra?: string[];
}

export interface RunSpec {
  /** Options before the image. */
  options: string[];
  /** Arguments after the image (the container's args). */
  args: string[];
}

/** kubelet's $(VAR) expansion (a name not defined stays as written; $$ is a literal $). */
export function expandVars(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) =>
    name === undefined ? '$' : (env[name] ?? m),
  );
}

const SIZE_UNITS: Record<string, number> = { Ki: 1 << 10, Mi: 1 << 20, Gi: 1 << 30 };

/** A quantity such as 1Mi in bytes (only the binary suffixes manifests use here). */
function bytesOf(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  if (!m) throw new Error(`quantity ${q}: expected a number with Ki, Mi or Gi`);
  return Number(m[1]) * (m[2] ? SIZE_UNITS[m[2]]! : 1);
}

export function podRunSpec(pod: V1PodSpec, containerName: string, facts: PodFacts): RunSpec {
  const c: V1Container | undefined = pod.containers.find((x) => x.name === containerName);
  if (!c) throw new Error(`no container "${containerName}" in the Pod template`);
  const options: string[] = [];
  const sc = c.securityContext ?? {};
  const psc = pod.securityContext ?? {};

  if (!pod.hostNetwork) throw new Error('podRunSpec: only host-network Pods are run here');
  options.push('--network', `ns:${facts.netnsPath}`);

  const uid = sc.runAsUser ?? psc.runAsUser;
  const gid = sc.runAsGroup ?? psc.runAsGroup;
  if (uid === undefined || gid === undefined)
    throw new Error('the securityContext names no runAsUser/runAsGroup: the image default would decide');
  if ((sc.runAsNonRoot ?? psc.runAsNonRoot) === true && uid === 0) throw new Error('runAsNonRoot with runAsUser 0');
  options.push('--user', `${uid}:${gid}`);
  if (sc.readOnlyRootFilesystem === true) options.push('--read-only');
  if (sc.allowPrivilegeEscalation === false) options.push('--security-opt', 'no-new-privileges');
  if (sc.privileged === true) throw new Error('a privileged container is not what is tested here');
  for (const cap of sc.capabilities?.drop ?? []) options.push(`--cap-drop=${cap}`);
  for (const cap of sc.capabilities?.add ?? []) options.push(`--cap-add=${cap}`);

  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    let value = e.value;
    const field = e.valueFrom?.fieldRef?.fieldPath;
    if (field !== undefined) {
      value = facts.fields[field];
      if (value === undefined) throw new Error(`env ${e.name}: no value for fieldRef ${field}`);
    } else if (e.valueFrom) throw new Error(`env ${e.name}: only value and fieldRef are supported here`);
    env[e.name] = expandVars(value ?? '', env);
    options.push('-e', `${e.name}=${env[e.name]}`);
  }

  for (const m of c.volumeMounts ?? []) {
    const v = pod.volumes?.find((x) => x.name === m.name);
    if (!v?.emptyDir) throw new Error(`volume ${m.name}: only emptyDir volumes are supported here`);
    const size = v.emptyDir.sizeLimit !== undefined ? `,tmpfs-size=${bytesOf(String(v.emptyDir.sizeLimit))}` : '';
    options.push('--mount', `type=tmpfs,destination=${m.mountPath}${size}`);
  }

  const command = (c.command ?? []).map((a) => expandVars(a, env));
  if (command.length > 0) options.push('--entrypoint', JSON.stringify(command));
  options.push(...(facts.extra ?? []));
  return { options, args: (c.args ?? []).map((a) => expandVars(a, env)) };
}
