// The container engine as FerroLB's scripts set it up (scripts/image/engine.sh: podman or docker, with
// the global and per-container options this machine needs), the image build (scripts/build-image.sh),
// and the few container operations the image test and `npm run bench -- image` use.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './repo-paths.ts';

const ENGINE_SCRIPT = join(REPO_ROOT, 'scripts/image/engine.sh');
const BUILD_SCRIPT = join(REPO_ROOT, 'scripts/build-image.sh');

export interface Engine {
  /** The engine and its global options, e.g. ['podman', '--runtime', 'runc']. */
  argv: string[];
  /** Options every `build` and `run` needs here (ulimits). */
  containerOpts: string[];
}

export interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (never throws on a non-zero exit: the caller reads `code`). */
export function exec(argv: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<Exec> {
  return new Promise((resolve) => {
    const child = execFile(
      argv[0]!,
      argv.slice(1),
      { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 << 20, cwd: REPO_ROOT },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, stdout, stderr: stderr || (err && code !== 0 ? err.message : '') });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export async function engine(): Promise<Engine> {
  const r = await exec(['bash', ENGINE_SCRIPT], { timeoutMs: 900_000 });
  if (r.code !== 0) throw new Error(`scripts/image/engine.sh failed (exit ${r.code}):\n${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  const sep = lines.indexOf('--');
  if (sep < 1) throw new Error(`scripts/image/engine.sh printed no engine and "--": ${JSON.stringify(r.stdout)}`);
  return { argv: lines.slice(0, sep), containerOpts: lines.slice(sep + 1) };
}

export interface Built {
  tag: string;
  sizeMb: number;
  seconds: number;
  /** Everything the script printed (stdout then stderr), for failure messages. */
  output: string;
}

/** scripts/build-image.sh --tag TAG [extra]: builds (or finds cached) and reads its summary line. */
export async function buildImage(tag: string, extra: string[] = []): Promise<Built> {
  const r = await exec(['bash', BUILD_SCRIPT, '--tag', tag, ...extra], { timeoutMs: 1_800_000 });
  const output = `${r.stdout}\n${r.stderr}`;
  if (r.code !== 0) throw new Error(`scripts/build-image.sh failed (exit ${r.code}):\n${output.slice(-4000)}`);
  const m = /^image (\S+): ([\d.]+) MB, built in ([\d.]+) s/m.exec(r.stdout);
  if (!m || m[1] !== tag)
    throw new Error(`scripts/build-image.sh printed no summary line for ${tag}:\n${output.slice(-4000)}`);
  return { tag, sizeMb: Number(m[2]), seconds: Number(m[3]), output };
}

/** `<engine> run --rm [opts] IMAGE args…` to completion. */
export async function runOnce(
  e: Engine,
  runOpts: string[],
  image: string,
  args: string[],
  timeoutMs = 120_000,
): Promise<Exec> {
  return exec([...e.argv, 'run', '--rm', ...e.containerOpts, ...runOpts, image, ...args], { timeoutMs });
}

/** The files and folders of an image's root filesystem (paths without a leading slash; folders end in /). */
export async function imageFiles(e: Engine, image: string): Promise<string[]> {
  const created = await exec([...e.argv, 'create', ...e.containerOpts, image]);
  if (created.code !== 0) throw new Error(`${e.argv[0]} create ${image} failed: ${created.stderr}`);
  const id = created.stdout.trim();
  // To a file: podman opens /dev/stdout for `export`, which fails when stdout is a socket (Node's pipes).
  const dir = mkdtempSync(join(tmpdir(), 'fim-export-'));
  try {
    const tarPath = join(dir, 'rootfs.tar');
    const exported = await exec([...e.argv, 'export', '-o', tarPath, id], { timeoutMs: 300_000 });
    if (exported.code !== 0) throw new Error(`${e.argv[0]} export ${image} failed: ${exported.stderr}`);
    const list = await exec(['tar', '-tf', tarPath]);
    if (list.code !== 0) throw new Error(`tar -tf of the exported ${image} failed: ${list.stderr}`);
    return list.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.replace(/^\.?\//, ''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await exec([...e.argv, 'rm', '-f', id]);
  }
}

export async function inspectImage(
  e: Engine,
  image: string,
): Promise<{ user: string; entrypoint: string[]; cmd: string[]; sizeBytes: number }> {
  const r = await exec([...e.argv, 'image', 'inspect', image]);
  if (r.code !== 0) throw new Error(`${e.argv[0]} image inspect ${image} failed: ${r.stderr}`);
  const [info] = JSON.parse(r.stdout) as {
    Config: { User?: string; Entrypoint?: string[]; Cmd?: string[] };
    Size: number;
  }[];
  if (!info) throw new Error(`${e.argv[0]} image inspect ${image}: empty answer`);
  return {
    user: info.Config.User ?? '',
    entrypoint: info.Config.Entrypoint ?? [],
    cmd: info.Config.Cmd ?? [],
    sizeBytes: info.Size,
  };
}

export interface Container {
  readonly name: string;
  /** Running, or why not (exit code), from the engine. */
  state(): Promise<{ running: boolean; exitCode: number }>;
  logs(): Promise<string>;
  /** SIGTERM, waits for exit (bounded), returns the exit code. */
  stop(timeoutS?: number): Promise<number>;
  remove(): Promise<void>;
}

/** `<engine> run -d --name NAME [opts] IMAGE args…`; resolves once the engine has started it. */
export async function startContainer(
  e: Engine,
  name: string,
  runOpts: string[],
  image: string,
  args: string[],
): Promise<Container> {
  await exec([...e.argv, 'rm', '-f', name]);
  const r = await exec([...e.argv, 'run', '-d', '--name', name, ...e.containerOpts, ...runOpts, image, ...args]);
  if (r.code !== 0) throw new Error(`${e.argv[0]} run ${name} failed (exit ${r.code}): ${r.stderr}`);
  const inspect = async (): Promise<{ running: boolean; exitCode: number }> => {
    const s = await exec([...e.argv, 'inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', name]);
    const [running, code] = s.stdout.trim().split(' ');
    return { running: running === 'true', exitCode: Number(code) };
  };
  return {
    name,
    state: inspect,
    async logs() {
      const l = await exec([...e.argv, 'logs', name]);
      return `${l.stdout}${l.stderr}`;
    },
    async stop(timeoutS = 20) {
      await exec([...e.argv, 'stop', '-t', String(timeoutS), name], { timeoutMs: (timeoutS + 30) * 1000 });
      return (await inspect()).exitCode;
    },
    async remove() {
      await exec([...e.argv, 'rm', '-f', name]);
    },
  };
}

/** Arguments of the image's controller with a kubeconfig mounted at `kubeconfig` and metrics on 127.0.0.1:`port`. */
export function imageControllerArgs(kubeconfig: string, port: number): string[] {
  return [
    'controller/main.ts',
    '--kubeconfig',
    kubeconfig,
    '--metrics-host',
    '127.0.0.1',
    '--metrics-port',
    String(port),
  ];
}
