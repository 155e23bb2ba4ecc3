// FerroLB's structured logger: one JSON object per line, the shape pino wrote before it (so log pipelines
// and tests read it unchanged): {"level":30,"time":<unix ms>,<base>,<bindings>,<the object>,"msg":"…"}.
// A disabled level's method is a no-op function (no string is built), so `silent` costs one call.
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../time/index.ts';
import { stdoutDestination, type LogDestination } from './destination.ts';
import { LEVEL_NAMES, LEVELS, levelValue, type LevelName } from './levels.ts';
import { safeJson } from './safe-json.ts';
import { isErrorLike, serializeError } from './serialize-error.ts';

/**
 * One log call: `(obj, msg?)` with the object the event is about, `(msg)`, or `(err, msg?)` — an Error
 * first is logged under `err` and its message is the default `msg`.
 */
export type LogFn = (objOrMsg: unknown, msg?: string) => void;

export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  /** The threshold: a level name or `silent`; setting an unknown name throws. */
  level: string;
  isLevelEnabled(level: string): boolean;
  /** A logger writing `bindings` on every line after its parent's; it starts at the parent's level. */
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  /** trace, debug, info (default), warn, error, fatal or silent. */
  level?: string;
  /**
   * Fields written first on every line. Default `{pid, hostname}` (as pino); a given object replaces
   * them (the speaker and controller name their component instead); null writes none.
   */
  base?: Record<string, unknown> | null;
  /** Where `time` comes from (default the system clock); tests pass a fake one. */
  clock?: Clock;
}

/** A logger writing to `destination` (default standard output). */
export function createLogger(options: LoggerOptions = {}, destination: LogDestination = stdoutDestination): Logger {
  const base = options.base === undefined ? { pid: process.pid, hostname: hostname() } : options.base;
  return new JsonLogger(
    destination,
    options.clock ?? systemClock,
    base ? fieldsText(base) : '',
    options.level ?? 'info',
  );
}

const noop: LogFn = () => {};

class JsonLogger implements Logger {
  trace: LogFn = noop;
  debug: LogFn = noop;
  info: LogFn = noop;
  warn: LogFn = noop;
  error: LogFn = noop;
  fatal: LogFn = noop;
  readonly #out: LogDestination;
  readonly #clock: Clock;
  /** The base and bindings, serialized once: `,"k":v,…`. */
  readonly #prefix: string;
  #level = 'info';
  #threshold = LEVELS.info as number;

  constructor(out: LogDestination, clock: Clock, prefix: string, level: string) {
    this.#out = out;
    this.#clock = clock;
    this.#prefix = prefix;
    this.level = level;
  }

  get level(): string {
    return this.#level;
  }

  set level(level: string) {
    this.#threshold = levelValue(level);
    this.#level = level;
    for (const name of LEVEL_NAMES) this[name] = LEVELS[name] >= this.#threshold ? this.#writer(name) : noop;
  }

  isLevelEnabled(level: string): boolean {
    const v = (LEVELS as Record<string, number>)[level];
    return v !== undefined && v >= this.#threshold;
  }

  child(bindings: Record<string, unknown>): Logger {
    return new JsonLogger(this.#out, this.#clock, this.#prefix + fieldsText(bindings), this.#level);
  }

  #writer(name: LevelName): LogFn {
    const head = `{"level":${LEVELS[name]},"time":`;
    return (objOrMsg, msg) => this.#out.write(head + this.#clock.wallNow() + this.#prefix + body(objOrMsg, msg));
  }
}

/** Everything after the bindings: the object's fields, then `msg`, then the line's end. */
function body(objOrMsg: unknown, msg: unknown): string {
  let fields = '';
  let message = msg;
  if (typeof objOrMsg === 'object' && objOrMsg !== null) {
    try {
      if (objOrMsg instanceof Error) {
        fields = `,"err":${safeJson(serializeError(objOrMsg))}`;
        if (message === undefined) message = objOrMsg.message;
      } else {
        fields = fieldsText(objOrMsg);
      }
    } catch (e) {
      fields = `,"err":${safeJson(`[unserializable: ${e instanceof Error ? e.message : 'unknown error'}]`)}`;
    }
  } else if (objOrMsg !== undefined) {
    message = objOrMsg;
  }
  return message === undefined ? `${fields}}\n` : `${fields},"msg":${safeJson(message) ?? 'null'}}\n`;
}

/** `,"key":value` for each own enumerable field JSON can hold; Errors under `err`/`error` serialized. */
function fieldsText(o: object): string {
  let text = '';
  for (const key of Object.keys(o)) {
    let value: unknown;
    try {
      value = (o as Record<string, unknown>)[key];
      if ((key === 'err' || key === 'error') && isErrorLike(value)) value = serializeError(value);
    } catch (e) {
      value = `[unserializable: ${e instanceof Error ? e.message : 'unknown error'}]`;
    }
    const json = safeJson(value);
    if (json !== undefined) text += `,${JSON.stringify(key)}:${json}`;
  }
  return text;
}
