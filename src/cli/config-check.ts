// `ferrolb config check FILE...`: validate a legacy address-pool ConfigMap or metallb.io CRD YAML.
// Problems: one per line on stderr as `<where>:<path>: <message>`, exit 1. Otherwise one line per pool
// on stdout (name, protocol, families, address count), exit 0.
import { parseFiles } from '../config/index.ts';
import { formatProblem, type Pool } from '../config/model.ts';
import { parseCommandLine, usageFailure, UsageError } from './flags.ts';
import type { CliIo } from './io.ts';
import { readFiles } from './read-files.ts';

export const CONFIG_USAGE = `usage: ferrolb config check FILE...
  Validates address-pool ConfigMaps or metallb.io CRD YAML (any number of files, multi-document YAML).
  Problems: one per line on stderr as <file>:<path>: <message>, exit 1. Otherwise one line per pool on
  stdout (name, protocol, families, address count), exit 0.
  -h, --help   this text
`;

export async function configCommand(args: string[], io: CliIo): Promise<number> {
  let sub: string | undefined;
  let paths: string[];
  try {
    const cl = parseCommandLine(args, {}, true);
    if (cl.values.help) {
      io.stdout(CONFIG_USAGE);
      return 0;
    }
    [sub, ...paths] = cl.positionals;
    if (sub !== 'check')
      throw new UsageError(sub === undefined ? 'needs a subcommand: check' : `unknown subcommand "${sub}"`);
    if (paths.length === 0) throw new UsageError('config check needs at least one FILE');
  } catch (err) {
    return usageFailure(io, 'config', err, CONFIG_USAGE);
  }
  const { files, errors } = await readFiles(paths);
  if (errors.length > 0) {
    io.stderr(errors.map((e) => `${e}\n`).join(''));
    return 1;
  }
  const result = parseFiles(files);
  if (!result.ok) {
    io.stderr(result.problems.map((p) => `${formatProblem(p)}\n`).join(''));
    io.stderr(`${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} found\n`);
    return 1;
  }
  for (const pool of result.config.pools) io.stdout(`${describePool(pool)}\n`);
  return 0;
}

export function describePool(pool: Pool): string {
  const families = [...new Set(pool.ranges.map((r) => r.family))].sort();
  const count = pool.ranges.reduce((n, r) => n + (r.last - r.first + 1n), 0n);
  const protocol = pool.protocols.length > 0 ? pool.protocols.join('+') : 'none';
  return `${pool.name}  protocol=${protocol}  families=${families.join(',')}  addresses=${count}`;
}
