// Errors as pino's standard serializer writes them, so log pipelines read them unchanged: `type` (the
// constructor's name), `message` and `stack` with each cause appended (": <cause message>",
// "\ncaused by: <cause stack>"), `aggregateErrors` for an AggregateError, then the error's enumerable
// properties (nested errors serialized the same way; one already being serialized becomes "[Circular]").
// A cause that is not an error (a string, a plain object) is kept as `cause` rather than lost.

/** What pino treats as an error: anything with a string `message`. */
export function isErrorLike(v: unknown): v is Error {
  return typeof v === 'object' && v !== null && typeof (v as { message?: unknown }).message === 'string';
}

export interface SerializedError {
  type: string;
  message: string;
  stack: string;
  aggregateErrors?: SerializedError[];
  [key: string]: unknown;
}

export function serializeError(err: Error): SerializedError {
  return serialize(err, new Set());
}

function serialize(err: Error, seen: Set<object>): SerializedError {
  seen.add(err);
  const ctor = (err as { constructor?: unknown }).constructor;
  const out: SerializedError = {
    type: typeof ctor === 'function' && ctor.name ? ctor.name : String(err.name),
    message: withCauses(err, (e) => e.message, ': '),
    stack: withCauses(err, (e) => e.stack ?? '', '\ncaused by: '),
  };
  const errors = (err as { errors?: unknown }).errors;
  if (Array.isArray(errors)) {
    out.aggregateErrors = errors.map((e) => (isErrorLike(e) && !seen.has(e) ? serialize(e, seen) : e));
  }
  for (const key in err) {
    if (key in out) continue;
    const val = (err as unknown as Record<string, unknown>)[key];
    if (isErrorLike(val)) {
      if (key !== 'cause') out[key] = seen.has(val) ? '[Circular]' : serialize(val, seen);
    } else {
      out[key] = val;
    }
  }
  const cause = causeOf(err);
  if (cause !== undefined && !isErrorLike(cause) && !('cause' in out)) out.cause = cause;
  seen.delete(err);
  return out;
}

/** `err.cause`, or its result when it is a function (VError style), as pino reads it. */
function causeOf(err: Error): unknown {
  const cause = (err as { cause?: unknown }).cause;
  if (typeof cause !== 'function') return cause;
  const result: unknown = cause.call(err);
  return isErrorLike(result) ? result : undefined;
}

/** The error's part followed by each cause's, stopping where the chain turns circular. */
function withCauses(err: Error, part: (e: Error) => string, separator: string): string {
  const chain = new Set<Error>();
  let text = part(err);
  let e: Error = err;
  for (;;) {
    chain.add(e);
    const cause = causeOf(e);
    if (!isErrorLike(cause)) return text;
    if (chain.has(cause)) return `${text}${separator}...`;
    text += separator + part(cause);
    e = cause;
  }
}
