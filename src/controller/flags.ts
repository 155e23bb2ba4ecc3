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
}

export const DEFAULT_FLAGS: ControllerFlags = {
  configNamespace: 'ferrolb-system', // where manifests/ installs us
  configName: 'config', // MetalLB's ConfigMap name
  metricsPort: 7472, // MetalLB's controller metrics port
  metricsHost: '0.0.0.0', // scraped from outside the pod
  logLevel: 'info',
  workers: 8, // enough to overlap API round trips; allocation itself is synchronous
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
`;

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
      default:
        return { ok: false, message: `unknown flag ${name}\n${FLAGS_USAGE}` };
    }
  }
  return { ok: true, flags };
}
