// Command-line flags of the speaker (pure: argv and env in, options or a message naming the bad flag).
// node:util parseArgs does the splitting; values are checked here.
import { parseArgs } from 'node:util';
import { defaultIpvsConfig, parseScheduler, type Scheduler } from '../ipvs/index.ts';
import { defaultSwimConfig } from '../memberlist/core/index.ts';

export interface SpeakerFlags {
  kubeconfig?: string;
  /** This node (downward API spec.nodeName). */
  nodeName: string;
  /** The speaker Pod (downward API), owner of the status objects. */
  podName?: string;
  /** The speaker's namespace: status objects, the memberlist Secret, BGP password Secrets, speaker Pods. */
  namespace: string;
  configNamespace: string;
  configName: string;
  lbClass?: string;
  /** Label selector of the speaker Pods of this DaemonSet (join addresses). */
  speakerSelector: string;
  memberlistSecret: string;
  memberlistBind: string;
  memberlistPort: number;
  /** Address announced to the other members (default: the Node's InternalIP). */
  memberlistAdvertise?: string;
  /** Where membership comes from until/unless gossip is used: `pods` = speaker Pods that are Ready. */
  membership: 'memberlist' | 'pods';
  /** Gossip timing overrides (undefined = src/memberlist's defaults, chosen for p99 ≤ 1 s failover). */
  memberlistTuning: MemberlistTuning;
  metricsHost: string;
  metricsPort: number;
  logLevel: string;
  ignoreExcludeLb: boolean;
  debounceMs: number;
  leaveTimeoutMs: number;
  /** RFC 4724 restart time advertised to BGP peers (s); 0 = no graceful restart. */
  gracefulRestart: number;
  /** Directory for the BGP graceful-restart marker (hostPath/emptyDir that survives a container restart). */
  stateDir?: string;
  /** Port of a BGP listener (passive peers); undefined = connect out only, as MetalLB's speaker. */
  bgpListenPort?: number;
  /** Never answer ARP/NDP (Layer 2 decisions and status objects still made): BGP-only nodes, tests. */
  disableLayer2: boolean;
  /** Only these interfaces may ever be used for Layer 2 (a node-wide allow-list); empty = any. */
  layer2Interfaces: string[];
  /** Never program IPVS (kube-proxy runs in IPVS mode here and already forwards the LB IPs). */
  disableIpvs: boolean;
  /** The dummy interface holding the LB IPs. */
  ipvsInterface: string;
  /** Scheduler of Services without a scheduler annotation. */
  ipvsScheduler: Scheduler;
  /** A removed endpoint drains (weight 0) at most this long (s) before it is deleted. */
  ipvsDrainTimeout: number;
  /** Re-read the kernel this often (s) to repair changes made behind the syncer's back. */
  ipvsResync: number;
  ipvsNoFirewall: boolean;
  ipvsNoMasquerade: boolean;
  ipvsNoSysctls: boolean;
  /** Seconds after the speaker is ready to release the pages of node's executable only the start ran; 0 = never. */
  releaseStartupPages: number;
}

const IPVS = defaultIpvsConfig();
const SWIM = defaultSwimConfig('defaults', { ip: '0.0.0.0', port: 0 });

/**
 * The gossip timings an operator may change (src/memberlist/core/config.ts explains each default). Every
 * member of a cluster should run the same values: a member probing faster than the others only notices
 * deaths sooner itself.
 */
export interface MemberlistTuning {
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  suspicionMinMs?: number;
  suspicionMaxMult?: number;
  gossipIntervalMs?: number;
}

/** The gossip flags: flag name → MemberlistTuning key, bounds. */
const TUNING_FLAGS: [string, keyof MemberlistTuning, number, number][] = [
  ['memberlist-probe-interval-ms', 'probeIntervalMs', 10, 60_000],
  ['memberlist-probe-timeout-ms', 'probeTimeoutMs', 1, 60_000],
  ['memberlist-suspicion-min-ms', 'suspicionMinMs', 10, 600_000],
  ['memberlist-suspicion-max-mult', 'suspicionMaxMult', 1, 100],
  ['memberlist-gossip-interval-ms', 'gossipIntervalMs', 5, 60_000],
];

/** The settings `--memberlist-profile fast` stands for (README: "Faster failover"). */
export const FAST_MEMBERLIST_TUNING: Required<MemberlistTuning> = {
  // Every member probed every 40 ms, a silent one judged 12 ms + the rest of the period later: ~4× the
  // default's probe traffic (~25 small datagrams/s per member).
  probeIntervalMs: 40,
  probeTimeoutMs: 12,
  // A suspect has 60 ms (120 ms unconfirmed) to refute: enough on a LAN with responsive nodes, not on an
  // overloaded one (Lifeguard's awareness still slows a member that misses its own acks).
  suspicionMinMs: 60,
  suspicionMaxMult: 2,
  gossipIntervalMs: 20,
};

export const DEFAULT_SPEAKER_FLAGS: Omit<SpeakerFlags, 'nodeName'> = {
  namespace: 'ferrolb-system', // where manifests/ installs us
  configNamespace: 'ferrolb-system', // the controller's default
  configName: 'config', // MetalLB's ConfigMap name
  speakerSelector: 'app.kubernetes.io/name=ferrolb,app.kubernetes.io/component=speaker', // manifests/07
  memberlistSecret: 'memberlist', // created by the controller when missing
  memberlistBind: '0.0.0.0', // host network: every node address
  memberlistPort: 7946, // MetalLB's (and hashicorp memberlist's) default
  membership: 'memberlist',
  memberlistTuning: {}, // src/memberlist's defaults
  metricsHost: '0.0.0.0', // scraped from outside the node
  metricsPort: 7473, // next to the controller's 7472 (both may share a host in the lab)
  logLevel: 'info',
  ignoreExcludeLb: false, // honour node.kubernetes.io/exclude-from-external-load-balancers, as MetalLB
  debounceMs: 20, // coalesces a burst of API events (a rollout) without delaying announcements noticeably
  leaveTimeoutMs: 500, // graceful handover: the leave message reaches the others well within this
  gracefulRestart: 0, // off unless asked: peers then keep routes for this long while we restart
  disableLayer2: false,
  layer2Interfaces: [], // the L2Advertisements choose interfaces per IP
  disableIpvs: false, // every node forwards every LoadBalancer Service, as kube-proxy does (issue 10)
  ipvsInterface: IPVS.interface, // kube-proxy's kube-ipvs0, so operators' habits keep working
  ipvsScheduler: IPVS.defaultScheduler, // kube-proxy's default
  ipvsDrainTimeout: IPVS.drainTimeoutMs / 1000, // longer than the default terminationGracePeriodSeconds
  ipvsResync: IPVS.resyncMs / 1000, // the syncer's own period
  ipvsNoFirewall: false, // loadBalancerSourceRanges are enforced, as kube-proxy does
  ipvsNoMasquerade: false, // externalTrafficPolicy Cluster needs SNAT so replies come back this way
  ipvsNoSysctls: false, // strict ARP is what keeps the kernel from answering ARP for the LB IPs
  releaseStartupPages: 5, // the first announcements, status writes and Events are done by then
};

export const SPEAKER_USAGE = `usage: speaker/main.ts --node-name NAME [flags]
  --node-name NAME           this node (default $NODE_NAME, from the downward API)
  --pod-name NAME            this speaker Pod (default $POD_NAME): owner of the status objects
  --namespace NS             the speaker's namespace (default $POD_NAMESPACE or ferrolb-system)
  --kubeconfig PATH          kubeconfig (default: in-cluster, then $KUBECONFIG / ~/.kube/config)
  --config-namespace NS      namespace of the ConfigMap and metallb.io resources (default ferrolb-system)
  --config-name NAME         address-pool ConfigMap name (default config)
  --lb-class NAME            handle Services with spec.loadBalancerClass NAME (default: only those without)
  --speaker-selector SEL     label selector of the speaker Pods (join addresses)
                             (default app.kubernetes.io/name=ferrolb,app.kubernetes.io/component=speaker)
  --membership KIND          memberlist (gossip, default) or pods (alive = speaker Pods Ready, via the API)
  --memberlist-secret NAME   Secret holding the memberlist key under "secretkey" (default memberlist)
  --memberlist-bind ADDR     gossip bind address (default 0.0.0.0)
  --memberlist-port N        gossip port, UDP and TCP (default 7946)
  --memberlist-advertise A   address announced to the others (default: the Node's InternalIP)
  --memberlist-profile P     gossip timings: default (a dead node noticed within ~0.7 s) or fast (~0.2 s,
                             ~4x the probe traffic, for quiet LANs); the flags below override single values.
                             Give every speaker the same timings.
  --memberlist-probe-interval-ms N   probe one member every N ms (default 150; fast 40)
  --memberlist-probe-timeout-ms N    direct probe timeout before asking others (default 40; fast 12)
  --memberlist-suspicion-min-ms N    time a confirmed suspect has to refute (default 250; fast 60)
  --memberlist-suspicion-max-mult N  an unconfirmed suspicion lasts up to N x the minimum (default 4; fast 2)
  --memberlist-gossip-interval-ms N  send queued news every N ms (default 50; fast 20)
  --metrics-host ADDR        /metrics /healthz /readyz listen address (default 0.0.0.0)
  --metrics-port N           their port, 0 = any (default 7473)
  --log-level LEVEL          trace|debug|info|warn|error (default info)
  --ignore-exclude-lb        announce from nodes labelled node.kubernetes.io/exclude-from-external-load-balancers
  --debounce-ms N            window after an API change before recomputing (default 20)
  --leave-timeout-ms N       on SIGTERM, how long to wait for the leave to be sent (default 500)
  --graceful-restart S       BGP graceful restart time advertised (s, 0 = off; default 0)
  --state-dir DIR            directory kept across restarts for the graceful-restart marker
  --bgp-listen-port N        also accept BGP connections on this port (default: connect out only)
  --disable-layer2           never answer ARP/NDP on this node (decisions and status still made)
  --layer2-interfaces LIST   comma-separated interfaces Layer 2 may ever use (default: any)
  --release-startup-pages S  S seconds after the speaker is ready, drop the pages of node's executable that
                             only the start ran from its memory (they map again from the page cache if they
                             run again); 0 = never (default 5)
IPVS (on by default: every node forwards every LoadBalancer IP to the Service's endpoints, as kube-proxy's
IPVS mode; a node without IPVS logs why once and goes on with Layer 2 and BGP):
  --disable-ipvs             never program IPVS (kube-proxy already runs in IPVS mode on this node)
  --ipvs-interface NAME      dummy interface holding the LB IPs (default kube-ipvs0)
  --ipvs-scheduler NAME      scheduler of Services without the ferrolb.io/ipvs-scheduler annotation:
                             rr wrr lc wlc lblc lblcr dh sh sed nq mh (default rr)
  --ipvs-drain-timeout S     a removed endpoint drains at weight 0 at most this long (default 60)
  --ipvs-resync S            re-read the kernel and repair drift this often (default 60)
  --ipvs-no-firewall         do not enforce loadBalancerSourceRanges (iptables rules over the KUBE-* ipsets)
  --ipvs-no-masquerade       do not masquerade externalTrafficPolicy: Cluster traffic
  --ipvs-no-sysctls          do not set strict ARP (arp_ignore=1, arp_announce=2) and the IPVS sysctls
  -h, --help                 this text
`;

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export type FlagsOutcome = { ok: true; flags: SpeakerFlags } | { ok: false; message: string; help?: boolean };

export function parseSpeakerFlags(argv: string[], env: Record<string, string | undefined> = {}): FlagsOutcome {
  let values: Record<string, string | boolean | undefined>;
  try {
    const str = { type: 'string' } as const;
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'node-name': str,
        'pod-name': str,
        namespace: str,
        kubeconfig: str,
        'config-namespace': str,
        'config-name': str,
        'lb-class': str,
        'speaker-selector': str,
        membership: str,
        'memberlist-secret': str,
        'memberlist-bind': str,
        'memberlist-port': str,
        'memberlist-advertise': str,
        'memberlist-profile': str,
        'memberlist-probe-interval-ms': str,
        'memberlist-probe-timeout-ms': str,
        'memberlist-suspicion-min-ms': str,
        'memberlist-suspicion-max-mult': str,
        'memberlist-gossip-interval-ms': str,
        'metrics-host': str,
        'metrics-port': str,
        'log-level': str,
        'ignore-exclude-lb': { type: 'boolean' },
        'debounce-ms': str,
        'leave-timeout-ms': str,
        'graceful-restart': str,
        'state-dir': str,
        'bgp-listen-port': str,
        'disable-layer2': { type: 'boolean' },
        'layer2-interfaces': str,
        'release-startup-pages': str,
        'disable-ipvs': { type: 'boolean' },
        'ipvs-interface': str,
        'ipvs-scheduler': str,
        'ipvs-drain-timeout': str,
        'ipvs-resync': str,
        'ipvs-no-firewall': { type: 'boolean' },
        'ipvs-no-masquerade': { type: 'boolean' },
        'ipvs-no-sysctls': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    return { ok: false, message: `${(err as Error).message}\n${SPEAKER_USAGE}` };
  }
  if (values.help) return { ok: false, message: SPEAKER_USAGE, help: true };
  const s = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const problems: string[] = [];
  const int = (name: string, min: number, max: number, dflt: number): number => {
    const v = s(name);
    if (v === undefined) return dflt;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      problems.push(`flag --${name}: "${v}" is not an integer in ${min}..${max}`);
      return dflt;
    }
    return Number(v);
  };
  const d = DEFAULT_SPEAKER_FLAGS;
  const nodeName = s('node-name') ?? env.NODE_NAME;
  if (nodeName === undefined || nodeName === '')
    problems.push('no node name: pass --node-name or set NODE_NAME (downward API spec.nodeName)');
  const logLevel = s('log-level') ?? d.logLevel;
  if (!LEVELS.includes(logLevel)) problems.push(`flag --log-level: "${logLevel}" is not one of ${LEVELS.join(', ')}`);
  const membership = s('membership') ?? d.membership;
  if (membership !== 'memberlist' && membership !== 'pods')
    problems.push(`flag --membership: "${membership}" is not memberlist or pods`);
  const profile = s('memberlist-profile') ?? 'default';
  if (profile !== 'default' && profile !== 'fast')
    problems.push(`flag --memberlist-profile: "${profile}" is not default or fast`);
  const memberlistTuning: MemberlistTuning = profile === 'fast' ? { ...FAST_MEMBERLIST_TUNING } : {};
  for (const [name, key, min, max] of TUNING_FLAGS)
    if (s(name) !== undefined) memberlistTuning[key] = int(name, min, max, 0);
  const interval = memberlistTuning.probeIntervalMs ?? SWIM.probeIntervalMs;
  const timeout = memberlistTuning.probeTimeoutMs ?? SWIM.probeTimeoutMs;
  if (timeout >= interval)
    problems.push(
      `flags --memberlist-probe-timeout-ms (${timeout}) and --memberlist-probe-interval-ms (${interval}): the timeout must be below the interval`,
    );
  const namespace = s('namespace') ?? env.POD_NAMESPACE ?? d.namespace;
  const scheduler = parseScheduler(s('ipvs-scheduler') ?? d.ipvsScheduler);
  if (typeof scheduler !== 'string') problems.push(`flag --ipvs-scheduler: ${scheduler.error}`);
  const ipvsInterface = s('ipvs-interface') ?? d.ipvsInterface;
  // Linux interface names: 1..15 bytes, no '/', ':' or whitespace.
  if (!/^[^\s/:]{1,15}$/.test(ipvsInterface))
    problems.push(`flag --ipvs-interface: "${ipvsInterface}" is not an interface name (1..15 characters)`);
  const flags: SpeakerFlags = {
    ...d,
    nodeName: nodeName ?? '',
    namespace,
    configNamespace: s('config-namespace') ?? d.configNamespace,
    configName: s('config-name') ?? d.configName,
    speakerSelector: s('speaker-selector') ?? d.speakerSelector,
    memberlistSecret: s('memberlist-secret') ?? d.memberlistSecret,
    memberlistBind: s('memberlist-bind') ?? d.memberlistBind,
    memberlistPort: int('memberlist-port', 1, 65535, d.memberlistPort),
    membership: membership as SpeakerFlags['membership'],
    memberlistTuning,
    metricsHost: s('metrics-host') ?? d.metricsHost,
    metricsPort: int('metrics-port', 0, 65535, d.metricsPort),
    logLevel,
    ignoreExcludeLb: values['ignore-exclude-lb'] === true,
    debounceMs: int('debounce-ms', 0, 10_000, d.debounceMs),
    leaveTimeoutMs: int('leave-timeout-ms', 0, 60_000, d.leaveTimeoutMs),
    gracefulRestart: int('graceful-restart', 0, 4095, d.gracefulRestart),
    disableLayer2: values['disable-layer2'] === true,
    layer2Interfaces: (s('layer2-interfaces') ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
    disableIpvs: values['disable-ipvs'] === true,
    ipvsInterface,
    ipvsScheduler: typeof scheduler === 'string' ? scheduler : d.ipvsScheduler,
    ipvsDrainTimeout: int('ipvs-drain-timeout', 0, 86_400, d.ipvsDrainTimeout),
    ipvsResync: int('ipvs-resync', 1, 86_400, d.ipvsResync),
    ipvsNoFirewall: values['ipvs-no-firewall'] === true,
    ipvsNoMasquerade: values['ipvs-no-masquerade'] === true,
    ipvsNoSysctls: values['ipvs-no-sysctls'] === true,
    releaseStartupPages: int('release-startup-pages', 0, 86_400, d.releaseStartupPages),
  };
  const optional: [keyof SpeakerFlags, string | undefined][] = [
    ['kubeconfig', s('kubeconfig')],
    ['podName', s('pod-name') ?? env.POD_NAME],
    ['lbClass', s('lb-class')],
    ['stateDir', s('state-dir')],
    ['memberlistAdvertise', s('memberlist-advertise')],
  ];
  for (const [k, v] of optional) if (v !== undefined && v !== '') (flags as unknown as Record<string, unknown>)[k] = v;
  if (s('bgp-listen-port') !== undefined) flags.bgpListenPort = int('bgp-listen-port', 0, 65535, 0);
  if (flags.stateDir === undefined && flags.gracefulRestart > 0)
    problems.push('flag --graceful-restart needs --state-dir (the restart marker must survive the restart)');
  if (problems.length > 0) return { ok: false, message: problems.join('\n') };
  return { ok: true, flags };
}
