// The log levels, pino's numbers (log pipelines filter on them), and `silent` (nothing is written).

export const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;

export type LevelName = keyof typeof LEVELS;
/** A logger's threshold: a level name, or `silent` for none. */
export type LevelSetting = LevelName | 'silent';

export const LEVEL_NAMES = Object.keys(LEVELS) as LevelName[];

/** The threshold's number; `silent` is above every level. Throws on an unknown name (a caller's bug). */
export function levelValue(level: string): number {
  if (level === 'silent') return Infinity;
  const v = (LEVELS as Record<string, number>)[level];
  if (v === undefined) throw new RangeError(`unknown log level "${level}" (one of ${LEVEL_NAMES.join(', ')}, silent)`);
  return v;
}
