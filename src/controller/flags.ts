// Command-line flags of the controller (pure: argv and env in, options or a message naming the bad flag).

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
  --kubeconfig PATH          kubeconfig (default: in-cluster, then $KUBECONFIG / ~/.kube/config)
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
`;

/** "15s", "500ms", or bare seconds. */
function durationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text);
  if (!m) return undefined;
  return m[2] === 'ms' ? Number(m[1]) : Math.round(Number(m[1]) * 1000);
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export function parseFlags(argv: string[]): { ok: true; flags: ControllerFlags } | { ok: false; message: string } {
  const flags: ControllerFlags = { ...DEFAULT_FLAGS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return { ok: false, message: FLAGS_USAGE };
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
    if (!name.startsWith('--')) return { ok: false, message: `unexpected argument "${arg}"\n${FLAGS_USAGE}` };
    if (value === undefined || value === '') return { ok: false, message: `flag ${name} needs a value` };
    const int = (min: number, max: number): number | string => {
      if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
        return `flag ${name}: "${value}" is not an integer in ${min}..${max}`;
      }
      return Number(value);
    };
    switch (name) {
      case '--kubeconfig':
        flags.kubeconfig = value;
        break;
      case '--lb-class':
        flags.lbClass = value;
        break;
      case '--config-namespace':
        flags.configNamespace = value;
        break;
      case '--config-name':
        flags.configName = value;
        break;
      case '--metrics-host':
        flags.metricsHost = value;
        break;
      case '--log-level':
        if (!LEVELS.includes(value)) return { ok: false, message: `flag --log-level: "${value}" is not one of ${LEVELS.join(', ')}` };
        flags.logLevel = value;
        break;
      case '--metrics-port': {
        const n = int(0, 65535);
        if (typeof n === 'string') return { ok: false, message: n };
        flags.metricsPort = n;
        break;
      }
      case '--workers': {
        const n = int(1, 256);
        if (typeof n === 'string') return { ok: false, message: n };
        flags.workers = n;
        break;
      }
      case '--leader-elect':
        if (value !== 'true' && value !== 'false') return { ok: false, message: `flag --leader-elect: "${value}" is not true or false` };
        flags.leaderElect = value === 'true';
        break;
      case '--leader-elect-resource-name':
        flags.leaseName = value;
        break;
      case '--leader-elect-resource-namespace':
        flags.leaseNamespace = value;
        break;
      case '--leader-elect-lease-duration':
      case '--leader-elect-renew-deadline':
      case '--leader-elect-retry-period': {
        const ms = durationMs(value);
        if (ms === undefined || ms <= 0) return { ok: false, message: `flag ${name}: "${value}" is not a duration like 15s or 500ms` };
        if (name === '--leader-elect-lease-duration') flags.leaseDurationMs = ms;
        else if (name === '--leader-elect-renew-deadline') flags.renewDeadlineMs = ms;
        else flags.retryPeriodMs = ms;
        break;
      }
      default:
        return { ok: false, message: `unknown flag ${name}\n${FLAGS_USAGE}` };
    }
  }
  return { ok: true, flags };
}
