// Runs a speaker as a child process (`node speaker/main.ts ...`), optionally inside a network namespace
// (`ip netns exec NS`, which execs: the pid is the speaker's, so kill -9 hits it), with its log in a
// file: used by the integration tests, the failover benchmark and `ferrolb lab`.
import { fileURLToPath } from 'node:url';
import { PROJECT_NODE } from './controller-child.ts';
import { procStatusKib, spawnLogged } from './logged-child.ts';

export const SPEAKER_MAIN = fileURLToPath(new URL('../../speaker/main.ts', import.meta.url));
/**
 * V8 flags of the DaemonSet's command (manifests/07-speaker-daemonset.yaml, the Helm chart, the image's
 * compile-cache warm-up in the Dockerfile; test/unit/install/speaker-start.test.ts keeps them equal):
 * no optimising compilers and V8's memory-saving heuristics, ~10 MiB less idle RSS.
 */
export const SPEAKER_V8_FLAGS: readonly string[] = ['--no-opt', '--no-maglev', '--optimize-for-size'];
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
    SPEAKER_MAIN,
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
  const c = spawnLogged(argv, o.logPath, { ...process.env, ...(o.env ?? {}) });
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
