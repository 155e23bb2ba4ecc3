// Command-line flags of the controller program (controller/main.ts): argv in, options or a message naming
// the bad flag.
import { parseCommandLine, UsageError } from './flags.ts';

export interface ControllerFlags {
  kubeconfig?: string;
  /** spec.loadBalancerClass handled; undefined = only Services without a class. */
  lbClass?: string;
  configNamespace: string;
  configName: string;
  metricsPort: number;
  metricsHost: string;
  logLevel: string;
  /** Services reconciled in parallel (different keys only). */
  workers: number;
  /** Run for the Lease (coordination.k8s.io/v1); only the holder writes. */
  leaderElect: boolean;
  leaseName: string;
  /** Default: the config namespace. */
  leaseNamespace?: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const DEFAULT_FLAGS: ControllerFlags = {
  configNamespace: 'ferrolb-system', // where manifests/ installs us
  configName: 'config', // MetalLB's ConfigMap name
  metricsPort: 7472, // MetalLB's controller metrics port
  metricsHost: '0.0.0.0', // scraped from outside the pod
  logLevel: 'info',
  workers: 8, // enough to overlap API round trips; allocation itself is synchronous
  leaderElect: true, // the Deployment runs 2 replicas: one writes, one stands by
  leaseName: 'ferrolb-controller',
  leaseDurationMs: 15_000, // client-go's defaults (kube-controller-manager uses the same)
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

export const FLAGS_USAGE = `usage: controller/main.ts [flags]
  The FerroLB controller: allocates IPs for Services of type LoadBalancer and writes their status.
  --kubeconfig PATH          kubeconfig (default: in-cluster, then $KUBECONFIG, then ~/.kube/config;
                             outside a cluster with none of them, the controller stops at once)
  --lb-class NAME            handle Services with spec.loadBalancerClass NAME (default: only those without)
  --config-namespace NS      namespace of the ConfigMap and metallb.io resources (default ferrolb-system)
  --config-name NAME         address-pool ConfigMap name (default config)
  --metrics-port N           /metrics /healthz /readyz port, 0 = any (default 7472)
  --metrics-host ADDR        listen address (default 0.0.0.0)
  --log-level LEVEL          trace|debug|info|warn|error (default info)
  --workers N                Services reconciled in parallel (default 8)
  --leader-elect BOOL        run for the Lease; only its holder writes (default true)
  --leader-elect-resource-name NAME       Lease name (default ferrolb-controller)
  --leader-elect-resource-namespace NS    Lease namespace (default: --config-namespace)
  --leader-elect-lease-duration D         e.g. 15s: a standby takes over after this long without a renew
  --leader-elect-renew-deadline D         e.g. 10s: the leader stops writing when it could not renew for this long
  --leader-elect-retry-period D           e.g. 2s: between renews and between attempts to acquire
  -h, --help                 this text
`;

/** "15s", "500ms", or bare seconds. */
function durationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text);
  if (!m) return undefined;
  return m[2] === 'ms' ? Number(m[1]) : Math.round(Number(m[1]) * 1000);
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export type FlagsResult =
  | { ok: true; flags: ControllerFlags }
  | { ok: false; help: true; message: string }
  | { ok: false; help?: false; message: string };

/** Flags through parseArgs (src/cli/flags.ts): the flags, `--help` (usage, exit 0), or a message naming the bad flag. */
export function parseFlags(argv: string[]): FlagsResult {
  let values;
  try {
    values = parseCommandLine(argv, {
      kubeconfig: { type: 'string' },
      'lb-class': { type: 'string' },
      'config-namespace': { type: 'string' },
      'config-name': { type: 'string' },
      'metrics-port': { type: 'string' },
      'metrics-host': { type: 'string' },
      'log-level': { type: 'string' },
      workers: { type: 'string' },
      'leader-elect': { type: 'string' },
      'leader-elect-resource-name': { type: 'string' },
      'leader-elect-resource-namespace': { type: 'string' },
      'leader-elect-lease-duration': { type: 'string' },
      'leader-elect-renew-deadline': { type: 'string' },
      'leader-elect-retry-period': { type: 'string' },
    }).values;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return { ok: false, message: `${err.message}\n${FLAGS_USAGE}` };
  }
  if (values.help) return { ok: false, help: true, message: FLAGS_USAGE };
  for (const [name, value] of Object.entries(values)) {
    if (value === '') return { ok: false, message: `flag --${name} needs a value` };
  }
  const int = (name: string, value: string, min: number, max: number): number | string => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
      return `flag --${name}: "${value}" is not an integer in ${min}..${max}`;
    return Number(value);
  };
  const flags: ControllerFlags = { ...DEFAULT_FLAGS };
  if (values.kubeconfig !== undefined) flags.kubeconfig = values.kubeconfig;
  if (values['lb-class'] !== undefined) flags.lbClass = values['lb-class'];
  if (values['config-namespace'] !== undefined) flags.configNamespace = values['config-namespace'];
  if (values['config-name'] !== undefined) flags.configName = values['config-name'];
  if (values['metrics-host'] !== undefined) flags.metricsHost = values['metrics-host'];
  const level = values['log-level'];
  if (level !== undefined) {
    if (!LEVELS.includes(level))
      return { ok: false, message: `flag --log-level: "${level}" is not one of ${LEVELS.join(', ')}` };
    flags.logLevel = level;
  }
  for (const [name, key, min, max] of [
    ['metrics-port', 'metricsPort', 0, 65535],
    ['workers', 'workers', 1, 256],
  ] as const) {
    const value = values[name];
    if (value === undefined) continue;
    const n = int(name, value, min, max);
    if (typeof n === 'string') return { ok: false, message: n };
    flags[key] = n;
  }
  const elect = values['leader-elect'];
  if (elect !== undefined) {
    if (elect !== 'true' && elect !== 'false')
      return { ok: false, message: `flag --leader-elect: "${elect}" is not true or false` };
    flags.leaderElect = elect === 'true';
  }
  if (values['leader-elect-resource-name'] !== undefined) flags.leaseName = values['leader-elect-resource-name'];
  if (values['leader-elect-resource-namespace'] !== undefined)
    flags.leaseNamespace = values['leader-elect-resource-namespace'];
  for (const [name, key] of [
    ['leader-elect-lease-duration', 'leaseDurationMs'],
    ['leader-elect-renew-deadline', 'renewDeadlineMs'],
    ['leader-elect-retry-period', 'retryPeriodMs'],
  ] as const) {
    const value = values[name];
    if (value === undefined) continue;
    const ms = durationMs(value);
    if (ms === undefined || ms <= 0)
      return { ok: false, message: `flag --${name}: "${value}" is not a duration like 15s or 500ms` };
    flags[key] = ms;
  }
  return { ok: true, flags };
}
