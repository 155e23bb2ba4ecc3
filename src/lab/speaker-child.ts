// Runs a speaker as a child process (`node dist/speaker/main.mjs ...`, the bundle that ships: see
// speaker-bundle.ts), optionally inside a network namespace
// (`ip netns exec NS`, which execs: the pid is the speaker's, so kill -9 hits it), with its log in a
// file: used by the integration tests, the failover benchmark and `ferrolb lab`.
import { PROJECT_NODE } from './controller-child.ts';
import { procStatusKib, spawnLogged } from './logged-child.ts';
import { speakerBundle } from './speaker-bundle.ts';

/**
 * V8 flags of the DaemonSet's command (manifests/07-speaker-daemonset.yaml, the Helm chart, the image's
 * check that the bundle starts in the Dockerfile; test/unit/install/speaker-start.test.ts keeps them
 * equal): V8's interpreter only (no JIT compilers, so no executable code space and no compiled code to
 * keep) and its memory-saving heuristics. Measured with `FAILOVER_ONLY=rss npm run bench -- failover`
 * (the bundle, 30 November 2026): no flags 80.5–80.9 MiB idle, `--no-opt --no-maglev --optimize-for-size`
 * ~67.5 MiB, these ~66 MiB; the owner's CPU time answering 1,000 ARP requests was the same within noise
 * (204–278 ms across runs and flag sets): the speaker's work is I/O, not computation. `--expose-gc` gives
 * the speaker's heap upkeep (src/speaker/heap-upkeep.ts) V8's memory-reducing collection.
 */
export const SPEAKER_V8_FLAGS: readonly string[] = ['--jitless', '--optimize-for-size', '--expose-gc'];
/** The DaemonSet's NODE_OPTIONS (manifests/07-speaker-daemonset.yaml): the lab runs speakers as deployed. */
export const SPEAKER_NODE_OPTIONS = '--max-old-space-size=96 --max-semi-space-size=2';
/**
 * The DaemonSet's other environment for the speaker's memory: glibc's malloc arenas capped at two (the main
 * thread's and one for V8's and libuv's helper threads, which allocate little). Uncapped, each helper
 * thread that mallocs gets an arena of its own, and their partly used pages cost ~1 MiB of RSS
 * (`FAILOVER_ONLY=rss npm run bench -- failover`, 30 November 2026: 60.0–60.4 MiB idle, 59.2–59.4 with 2).
 */
export const SPEAKER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
/** The speaker environment the lab runs: SPEAKER_ENV, unless FERROLB_SPEAKER_MALLOC_ARENA_MAX (to compare; "" unsets). */
export const speakerEnv = (): Record<string, string> => {
  const arenas = process.env.FERROLB_SPEAKER_MALLOC_ARENA_MAX;
  if (arenas === undefined) return { ...SPEAKER_ENV };
  return arenas === '' ? {} : { MALLOC_ARENA_MAX: arenas };
};
/** A speaker process's whole environment: this one's, speakerEnv() (an unset arena cap unset), then `extra`. */
export const speakerProcessEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...speakerEnv(), ...extra };
  if (process.env.FERROLB_SPEAKER_MALLOC_ARENA_MAX === '' && extra.MALLOC_ARENA_MAX === undefined)
    delete env.MALLOC_ARENA_MAX;
  return env;
};
/** NODE_OPTIONS the lab's speakers run with: the DaemonSet's, unless FERROLB_SPEAKER_NODE_OPTIONS (to compare V8 flags). */
export const speakerNodeOptions = (): string => process.env.FERROLB_SPEAKER_NODE_OPTIONS ?? SPEAKER_NODE_OPTIONS;
/** The V8 flags the lab's speakers run with: the DaemonSet's, unless FERROLB_SPEAKER_V8_FLAGS (a space list, to compare). */
export const speakerV8Flags = (): string[] => {
  const env = process.env.FERROLB_SPEAKER_V8_FLAGS;
  return env === undefined ? [...SPEAKER_V8_FLAGS] : env.split(' ').filter((f) => f !== '');
};

export interface SpeakerChildOptions {
  nodeName: string;
  kubeconfig: string;
  logPath: string;
  /** Network namespace to run in (host namespace when absent). */
  netns?: string;
  metricsPort: number;
  metricsHost?: string;
  extraArgs?: string[];
  env?: Record<string, string>;
  /** Node/V8 flags before the entry point; default speakerV8Flags() (the DaemonSet's). */
  nodeFlags?: readonly string[];
  /** The speaker module; default the working tree's bundle (speakerBundle(), built once per process). */
  entry?: string;
}

export interface SpeakerChild {
  readonly pid: number;
  readonly nodeName: string;
  readonly logPath: string;
  exited(): string | undefined;
  waitExit(): Promise<string>;
  kill(signal: NodeJS.Signals): void;
  logTail(lines?: number): string;
  /** VmRSS of the process in KiB, or undefined once it has exited. */
  rssKib(): number | undefined;
}

export function startSpeakerChild(o: SpeakerChildOptions): SpeakerChild {
  const args = [
    ...(o.nodeFlags ?? speakerV8Flags()),
    o.entry ?? speakerBundle(),
    '--node-name',
    o.nodeName,
    '--kubeconfig',
    o.kubeconfig,
    '--metrics-port',
    String(o.metricsPort),
    '--metrics-host',
    o.metricsHost ?? '127.0.0.1',
    ...(o.extraArgs ?? []),
  ];
  const argv =
    o.netns !== undefined ? ['ip', 'netns', 'exec', o.netns, PROJECT_NODE, ...args] : [PROJECT_NODE, ...args];
  const c = spawnLogged(argv, o.logPath, speakerProcessEnv(o.env));
  return {
    pid: c.pid,
    nodeName: o.nodeName,
    logPath: o.logPath,
    exited: c.exited,
    waitExit: c.waitExit,
    kill: c.kill,
    logTail: c.logTail,
    rssKib: () => procStatusKib(c.pid, 'VmRSS'),
  };
}
