import { formatProblem, type Config, type ParseResult } from '../../../src/config/index.ts';

/** The config of an ok result; fails the test with every problem otherwise. */
export function okConfig(r: ParseResult): Config {
  if (!r.ok) throw new Error(`expected a valid configuration, got:\n${r.problems.map(formatProblem).join('\n')}`);
  return r.config;
}

/** Every problem formatted `<where>:<path>: <message>`; fails the test when the result is ok. */
export function problemLines(r: ParseResult): string[] {
  if (r.ok) throw new Error('expected problems, the configuration was accepted');
  return r.problems.map(formatProblem);
}
