// The one way commands read their flags: node:util parseArgs (strict), plus --help/-h on every command,
// with parseArgs' errors turned into one short line naming the flag (UsageError). Commands print
// `ferrolb <command>: <message>` and their usage on stderr and exit 2 (usageFailure).
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { CliIo } from './io.ts';

export class UsageError extends Error {}

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** The flag a parseArgs error is about ('--name' or '-x'), from its message. */
function flagOf(message: string): string {
  return /'(--?[^'\s=]+)/.exec(message)?.[1] ?? '';
}

/** Rewrites parseArgs' errors (ERR_PARSE_ARGS_*) as one short line naming the flag. */
function usageMessage(err: Error & { code?: string }): string {
  const flag = flagOf(err.message);
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${/'([^']*)'/.exec(err.message)?.[1] ?? ''}"`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(err.message)) return `${flag} needs a value`;
      if (/does not take an argument/.test(err.message)) return `${flag} takes no value`;
      if (/ambiguous/.test(err.message))
        return `${flag} needs a value (to pass one starting with "-", write ${flag}=VALUE)`;
      return err.message;
    default:
      return err.message;
  }
}

/**
 * Parses `args` against `options` (and --help/-h) with node:util parseArgs in strict mode. Throws a
 * UsageError naming the flag for an unknown option, a missing value, a value given to a boolean, or a
 * positional argument when `allowPositionals` is false.
 */
export function parseCommandLine<O extends ParseArgsOptionsConfig>(
  args: string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options: { ...options, ...HELP }, strict: true, allowPositionals });
  } catch (err) {
    const e = err as Error & { code?: string };
    if (typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS_')) throw new UsageError(usageMessage(e));
    throw err;
  }
}

/** For a UsageError: prints `ferrolb <command>: <message>` and the usage on stderr, returns exit code 2. */
export function usageFailure(io: CliIo, command: string, err: unknown, usage: string): number {
  if (!(err instanceof UsageError)) throw err;
  io.stderr(`ferrolb ${command}: ${err.message}\n${usage}`);
  return 2;
}
