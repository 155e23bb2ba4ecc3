// `ferrolb bgp`: run one BGP speaker standalone (lab and interop tests, debugging a router's config).
//
// Usage: BGP_USAGE below (`ferrolb bgp --help`).
// Problems go to stderr as `ferrolb bgp: ...`; exit code 2 for usage errors, 1 for config errors, 0 after
// a clean stop. SIGTERM/SIGINT: graceful shutdown with NOTIFICATION Cease/Administrative Shutdown (6/2).
// SIGUSR2 (or SIGTERM with --restart-mode): close without NOTIFICATION so graceful restart applies.
import { createLogger, fdDestination, type Logger } from '../log/index.ts';
import { parseCommunity } from '../config/community.ts';
import { parseFiles, poolContaining } from '../config/index.ts';
import type { BgpAdvertisement, Community, Config, Peer } from '../config/model.ts';
import { formatProblem } from '../config/model.ts';
import { canonicalIp, parseIp } from '../net/ip.ts';
import type { Announcement } from '../bgp/speaker/compute-routes.ts';
import { clearRestartMarker, readRestartMarker, writeRestartMarker } from '../bgp/speaker/restart-marker.ts';
import { BgpSpeaker } from '../bgp/speaker/speaker.ts';
import type { BfdChange } from '../bgp/speaker/speaker.ts';
import type { NotificationEvent, StateChange } from '../bgp/session/session.ts';
import { parseCommandLine, UsageError } from './flags.ts';
import type { CliIo } from './io.ts';
import { readFiles } from './read-files.ts';
import { systemClock } from '../time/index.ts';

export type StopMode = 'cease' | 'restart';

interface Flags {
  multi: Map<string, string[]>;
  bools: Set<string>;
}

const VALUE_FLAGS = new Set([
  'config',
  'node',
  'node-labels',
  'announce',
  'router-id',
  'listen-port',
  'listen-address',
  'peer',
  'peer-asn',
  'my-asn',
  'peer-port',
  'password',
  'hold',
  'keepalive',
  'source',
  'community',
  'large-community',
  'local-pref',
  'aggregation-length',
  'aggregation-length-v6',
  'node-ipv4',
  'node-ipv6',
  'node-ipv6-ll',
  'graceful-restart',
  'connect-retry',
  'log-level',
  'gr-state-file',
  'send-hold-time',
]);
const BOOL_FLAGS = new Set(['passive', 'restarted', 'restart-mode', 'ebgp-multihop', 'gtsm']);

export const BGP_USAGE = `usage: ferrolb bgp --config FILE... --announce IP... [options]
       ferrolb bgp --peer ADDR... --peer-asn N --my-asn N --announce IP... [options]
Runs one BGP speaker standalone.

Config form (a MetalLB address-pool ConfigMap or metallb.io CRD YAML, as "ferrolb config check" reads):
  ferrolb bgp --config FILE [--config FILE...] [--node NAME] [--node-labels k=v,...]
              --announce IP [--announce IP...] [common options]
  Each announced IP must fall in one of the configured pools; peers and BGPAdvertisements apply as in
  the cluster (node selectors against --node / --node-labels).
Simple form (no config file):
  ferrolb bgp --peer ADDR [--peer ADDR...] --peer-asn N --my-asn N [--peer-port N] [--password P]
              [--hold N] [--keepalive N] [--source ADDR] [--ebgp-multihop]
              [--community AS:V...] [--large-community G:L1:L2...] [--local-pref N]
              [--aggregation-length N] [--aggregation-length-v6 N] --announce IP [...] [common options]
Common options:
  --router-id A.B.C.D     BGP identifier (default: --node-ipv4, else the peer's source address)
  --node-ipv4 ADDR        next hop for IPv4 routes (default: the session's local address)
  --node-ipv6 ADDR        next hop for IPv6 routes (default: the session's local address)
  --node-ipv6-ll ADDR     IPv6 link-local next hop sent with the global one
  --listen-port N         accept incoming sessions on port N (0 = ephemeral; default: no listener)
  --listen-address ADDR   listen address (default ::)
  --passive               never connect, only accept (needs --listen-port)
  --gtsm                  RFC 5082 TTL security for directly connected eBGP peers (TTL 255 out, >= 254 in)
  --graceful-restart S    advertise RFC 4724 graceful restart with restart time S seconds
  --restarted             set the R bit (restart state) in the first OPEN: we are restarting
  --restart-mode          SIGTERM/SIGINT close sessions without NOTIFICATION (as SIGUSR2 always does)
  --gr-state-file FILE    a restart-mode stop writes FILE; a start within the restart time of it sets
                          the R bit by itself (as --restarted does); a Cease stop removes it
  --connect-retry MIN:MAX reconnect back-off bounds in seconds (default 1:60)
  --send-hold-time S      RFC 9687: close a peer that reads nothing for S seconds (default 480)
  --log-level L           level of the structured logs on stderr (default warn)
  -h, --help              this text

Output on stdout, one event per line, stable for scripts (fields are space separated key=value after
the first words; reasons are JSON strings):
  listening port=N
  peer ADDR STATE [reason="..."]            on every session state change (Idle, Connect, Active,
                                            OpenSent, OpenConfirm, Established)
  advertised peer=ADDR prefixes=N announced=N withdrawn=N
  all routes advertised sessions=N prefixes=N
                                            after each advertisement change that leaves every session
                                            Established and in sync
  notification sent|received peer=ADDR code=C subcode=S
  bfd up peer=ADDR | bfd down peer=ADDR diag="..."   (peers with a bfdProfile, config form)
  graceful restart: stopped for graceful restart N s ago     (--gr-state-file found a fresh marker)
  stopping mode=cease|restart
  stopped
Problems go to stderr; exit 2 for usage errors, 1 for configuration errors, 0 after a clean stop.
SIGTERM/SIGINT: NOTIFICATION Cease/Administrative Shutdown (6/2). SIGUSR2 (or SIGTERM with
--restart-mode): close without NOTIFICATION so graceful restart applies.
`;

const OPTIONS = Object.fromEntries([
  ...[...VALUE_FLAGS].map((name) => [name, { type: 'string', multiple: true }] as const),
  ...[...BOOL_FLAGS].map((name) => [name, { type: 'boolean' }] as const),
]) as Record<string, { type: 'string'; multiple: true } | { type: 'boolean' }>;

/** Flags through parseArgs (values collected in place: 50,000 --announce flags must not be copied each time). */
function parseFlags(args: string[]): Flags {
  const { values } = parseCommandLine(args, OPTIONS);
  const multi = new Map<string, string[]>();
  const bools = new Set<string>();
  for (const [name, v] of Object.entries(values)) {
    if (v === true) bools.add(name);
    else if (Array.isArray(v)) multi.set(name, v as string[]);
  }
  return { multi, bools };
}

function one(f: Flags, name: string): string | undefined {
  const v = f.multi.get(name);
  if (v && v.length > 1) throw new UsageError(`--${name} given ${v.length} times`);
  return v?.[0];
}

function int(f: Flags, name: string, min: number, max: number): number | undefined {
  const v = one(f, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name} "${v}" must be an integer in ${min}..${max}`);
  }
  return Number(v);
}

function address(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const c = canonicalIp(v);
  if (c === undefined) throw new UsageError(`--${name} "${v}" is not an IP address`);
  return c;
}

/** --community AS:V (or a well-known name) and --large-community G:L1:L2, with config's parser. */
function communityFlag(flag: 'community' | 'large-community', text: string): Community {
  const c = parseCommunity(flag === 'large-community' ? `large:${text}` : text);
  if (typeof c === 'string') throw new UsageError(`--${flag}: ${c}`);
  if ((flag === 'large-community') !== (c.kind === 'large'))
    throw new UsageError(`--${flag} "${text}": use --${c.kind === 'large' ? 'large-community' : 'community'}`);
  return c;
}

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (text === undefined || text === '') return labels;
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--node-labels "${pair}" must be key=value`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}

const SIMPLE_POOL = 'cli';

/** The simple form: peers and one advertisement from flags. */
function simpleConfig(f: Flags): Pick<Config, 'peers' | 'bgpAdvertisements'> {
  const peerAsn = int(f, 'peer-asn', 1, 0xffffffff);
  const myAsn = int(f, 'my-asn', 1, 0xffffffff);
  if (peerAsn === undefined || myAsn === undefined) throw new UsageError('--peer needs --peer-asn and --my-asn');
  const hold = int(f, 'hold', 0, 65535) ?? 90;
  if (hold === 1 || hold === 2) throw new UsageError('--hold must be 0 or 3..65535');
  const keepalive = int(f, 'keepalive', 0, 65535) ?? Math.floor(hold / 3);
  const password = one(f, 'password');
  const source = address('source', one(f, 'source'));
  const peers: Peer[] = (f.multi.get('peer') ?? []).map((text) => {
    const peerAddress = address('peer', text) as string;
    return {
      name: peerAddress,
      myASN: myAsn,
      peerASN: peerAsn,
      peerAddress,
      peerPort: int(f, 'peer-port', 1, 65535) ?? 179,
      ...(source !== undefined ? { sourceAddress: source } : {}),
      holdTime: hold,
      keepaliveTime: keepalive,
      ...(password !== undefined ? { password } : {}),
      ebgpMultiHop: f.bools.has('ebgp-multihop'),
      nodeSelectors: [],
    };
  });
  const adv: BgpAdvertisement = {
    name: 'cli',
    pools: [SIMPLE_POOL],
    aggregationLength: int(f, 'aggregation-length', 0, 32) ?? 32,
    aggregationLengthV6: int(f, 'aggregation-length-v6', 0, 128) ?? 128,
    ...(f.multi.has('local-pref') ? { localPref: int(f, 'local-pref', 0, 0xffffffff) as number } : {}),
    communities: [
      ...(f.multi.get('community') ?? []).map((t) => communityFlag('community', t)),
      ...(f.multi.get('large-community') ?? []).map((t) => communityFlag('large-community', t)),
    ],
    peers: [],
    nodeSelectors: [],
  };
  return { peers, bgpAdvertisements: [adv] };
}

export interface BgpRun {
  /** Resolves with the exit code once the speaker has stopped. */
  done: Promise<number>;
  /** Ask the speaker to stop (as SIGTERM / SIGUSR2 do). */
  stop(mode: StopMode): void;
  speaker?: BgpSpeaker;
}

/** Starts the speaker; exposed for in-process tests. Usage/config errors resolve `done` at once. */
export async function runBgp(args: string[], io: CliIo, logger?: Logger): Promise<BgpRun> {
  const fail = (code: number, msg: string): BgpRun => {
    io.stderr(msg.endsWith('\n') ? msg : `${msg}\n`);
    return { done: Promise.resolve(code), stop: () => {} };
  };
  let f: Flags;
  try {
    f = parseFlags(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return fail(2, `ferrolb bgp: ${err.message}\n(ferrolb bgp --help for usage)`);
  }
  if (f.bools.has('help')) {
    io.stdout(BGP_USAGE);
    return { done: Promise.resolve(0), stop: () => {} };
  }
  let speaker: BgpSpeaker;
  let announcements: Announcement[];
  let grStateFile: string | undefined;
  let grRestartTime = 0;
  let config: Pick<Config, 'peers' | 'bgpAdvertisements'>;
  try {
    const announce = (f.multi.get('announce') ?? []).map((a) => address('announce', a) as string);
    const configFiles = f.multi.get('config') ?? [];
    if (configFiles.length > 0 && f.multi.has('peer')) throw new UsageError('give either --config or --peer, not both');
    if (configFiles.length === 0 && !f.multi.has('peer')) throw new UsageError('give --config FILE or --peer ADDR');
    if (configFiles.length > 0) {
      const { files, errors } = await readFiles(configFiles);
      if (errors.length > 0) return fail(1, errors.map((e) => `ferrolb bgp: ${e}`).join('\n'));
      const parsed = parseFiles(files);
      if (!parsed.ok) return fail(1, parsed.problems.map((p) => `ferrolb bgp: ${formatProblem(p)}`).join('\n'));
      config = parsed.config;
      announcements = [];
      for (const ip of announce) {
        const pool = poolContaining(parsed.config.pools, ip)?.name;
        if (pool === undefined) return fail(1, `ferrolb bgp: --announce ${ip}: no configured pool contains it`);
        announcements.push({ ip, pool });
      }
    } else {
      config = simpleConfig(f);
      announcements = announce.map((ip) => ({ ip, pool: SIMPLE_POOL }));
    }
    const listenPort = int(f, 'listen-port', 0, 65535);
    if (f.bools.has('passive') && listenPort === undefined) throw new UsageError('--passive needs --listen-port');
    const retry = one(f, 'connect-retry');
    let connectRetry: { minSeconds: number; maxSeconds: number } | undefined;
    if (retry !== undefined) {
      const m = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(retry);
      if (!m || !(Number(m[1]) > 0) || Number(m[2]) < Number(m[1])) {
        throw new UsageError(`--connect-retry "${retry}" must be MIN:MAX seconds with 0 < MIN <= MAX`);
      }
      connectRetry = { minSeconds: Number(m[1]), maxSeconds: Number(m[2]) };
    }
    const routerId = address('router-id', one(f, 'router-id'));
    if (routerId !== undefined && parseIp(routerId)?.family !== 'ipv4')
      throw new UsageError('--router-id must be an IPv4 address');
    const nodeIpv4 = address('node-ipv4', one(f, 'node-ipv4'));
    const nodeIpv6 = address('node-ipv6', one(f, 'node-ipv6'));
    const nodeIpv6Ll = address('node-ipv6-ll', one(f, 'node-ipv6-ll'));
    const gr = int(f, 'graceful-restart', 0, 4095);
    grStateFile = one(f, 'gr-state-file');
    if (grStateFile !== undefined && !(gr !== undefined && gr > 0))
      throw new UsageError('--gr-state-file needs --graceful-restart');
    let restarting = f.bools.has('restarted');
    if (grStateFile !== undefined && !restarting) {
      const marker = await readRestartMarker(grStateFile, systemClock.wallNow());
      restarting = marker.restarting;
      if (restarting) io.stdout(`graceful restart: ${marker.reason}\n`);
    }
    grRestartTime = gr ?? 0;
    const sendHoldTime = int(f, 'send-hold-time', 1, 65535);
    const log = logger ?? createLogger({ level: one(f, 'log-level') ?? 'warn' }, fdDestination(2));
    speaker = new BgpSpeaker({
      node: {
        name: one(f, 'node') ?? 'ferrolb-cli',
        labels: parseLabels(one(f, 'node-labels')),
        ...(nodeIpv4 !== undefined ? { ipv4: nodeIpv4 } : {}),
        ...(nodeIpv6 !== undefined ? { ipv6: nodeIpv6 } : {}),
        ...(nodeIpv6Ll !== undefined ? { ipv6LinkLocal: nodeIpv6Ll } : {}),
      },
      ...(routerId !== undefined ? { routerId } : {}),
      ...(listenPort !== undefined ? { listenPort } : {}),
      ...(one(f, 'listen-address') !== undefined
        ? { listenHost: address('listen-address', one(f, 'listen-address')) as string }
        : {}),
      ...(gr !== undefined && gr > 0 ? { gracefulRestartTime: gr } : {}),
      restarting,
      passive: f.bools.has('passive'),
      gtsm: f.bools.has('gtsm'),
      ...(connectRetry ? { connectRetry } : {}),
      ...(sendHoldTime !== undefined ? { sendHoldTime } : {}),
      logger: log,
    });
  } catch (err) {
    if (err instanceof UsageError) return fail(2, `ferrolb bgp: ${err.message}`);
    return fail(1, `ferrolb bgp: ${(err as Error).message}`);
  }

  const addressOf = (name: string): string => speaker.sessions().get(name)?.peerAddress ?? name;
  // After every change that leaves all sessions Established and in sync (so a driver that changes the
  // announcements sees one such line per completed change).
  const checkAll = (): void => {
    const sessions = [...speaker.sessions().values()];
    if (sessions.length > 0 && sessions.every((s) => s.inSync)) {
      const prefixes = sessions.reduce((n, s) => n + s.counters.prefixesAdvertised, 0);
      io.stdout(`all routes advertised sessions=${sessions.length} prefixes=${prefixes}\n`);
    }
  };
  speaker.on('state', (c: StateChange) => {
    const reason = c.state === 'Idle' && c.reason ? ` reason=${JSON.stringify(c.reason)}` : '';
    io.stdout(`peer ${addressOf(c.peer)} ${c.state}${reason}\n`);
  });
  speaker.on('advertised', (a: { peer: string; prefixes: number; announced: number; withdrawn: number }) => {
    io.stdout(
      `advertised peer=${addressOf(a.peer)} prefixes=${a.prefixes} announced=${a.announced} withdrawn=${a.withdrawn}\n`,
    );
    checkAll();
  });
  speaker.on('bfd', (b: BfdChange) => {
    io.stdout(
      `bfd ${b.state} peer=${addressOf(b.peer)}${b.state === 'down' ? ` diag=${JSON.stringify(b.diag)}` : ''}\n`,
    );
  });
  speaker.on('notification', (n: NotificationEvent) => {
    io.stdout(`notification ${n.direction} peer=${addressOf(n.peer)} code=${n.code} subcode=${n.subcode}\n`);
  });

  speaker.setConfig(config);
  for (const p of speaker.problems) io.stderr(`ferrolb bgp: peer ${p.peer}: ${p.reason}\n`);
  speaker.setAnnouncements(announcements);
  if (speaker.sessions().size === 0) {
    return fail(1, 'ferrolb bgp: no peer applies to this node (check --node / --node-labels and peer nodeSelectors)');
  }
  try {
    await speaker.start();
  } catch (err) {
    await speaker.stop().catch(() => {});
    return fail(1, `ferrolb bgp: cannot start: ${(err as Error).message}`);
  }
  if (speaker.listenPort !== undefined) io.stdout(`listening port=${speaker.listenPort}\n`);

  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((r) => (resolveDone = r));
  let stopping = false;
  const stop = (mode: StopMode): void => {
    if (stopping) return;
    stopping = true;
    io.stdout(`stopping mode=${mode}\n`);
    const marker = grStateFile;
    const afterStop = async (): Promise<void> => {
      if (marker === undefined) return;
      if (mode === 'restart') await writeRestartMarker(marker, systemClock.wallNow(), grRestartTime);
      else await clearRestartMarker(marker);
    };
    speaker
      .stop(mode === 'restart' ? { restart: true } : {})
      .then(afterStop)
      .then(
        () => {
          io.stdout('stopped\n');
          resolveDone(0);
        },
        (err: unknown) => {
          io.stderr(`ferrolb bgp: stop failed: ${(err as Error).message}\n`);
          resolveDone(1);
        },
      );
  };
  return { done, stop, speaker };
}

export async function bgpCommand(args: string[], io: CliIo): Promise<number> {
  const run = await runBgp(args, io);
  const restartMode = args.includes('--restart-mode');
  const onTerm = (): void => run.stop(restartMode ? 'restart' : 'cease');
  const onUsr2 = (): void => run.stop('restart');
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onTerm);
  process.on('SIGUSR2', onUsr2);
  try {
    return await run.done;
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onTerm);
    process.off('SIGUSR2', onUsr2);
  }
}
