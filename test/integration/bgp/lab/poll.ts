// Bounded polling: the lab waits for readiness and for conditions by asking again, never by sleeping
// a fixed time and hoping. Every wait has a count and time bound and says what it waited for.

export interface PollOptions {
  /** What is awaited, for the error message. */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** Extra diagnostics appended to the timeout error (e.g. a daemon's log tail). */
  diagnostics?: () => string | Promise<string>;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Calls `probe` until it returns a value other than undefined/false, or throws after the timeout with
 * the last probe error and diagnostics. Returns the probe's value.
 */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, opts: PollOptions): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const intervalMs = opts.intervalMs ?? 100;
  const maxTries = Math.ceil(timeoutMs / intervalMs) + 1;
  const start = Date.now();
  let lastError: unknown;
  for (let i = 0; i < maxTries && Date.now() - start <= timeoutMs; i++) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    await sleep(intervalMs);
  }
  const diag = opts.diagnostics ? `\n--- diagnostics ---\n${await opts.diagnostics()}` : '';
  const last = lastError instanceof Error ? `\n  last error: ${lastError.message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what}${last}${diag}`);
}

/**
 * Checks that `probe` stays falsy for the whole window (bounded). Returns true when it never became
 * true; false (immediately) as soon as it did. For negative checks such as "a wrong MD5 key never
 * brings the session up".
 */
export async function staysFalse(probe: () => boolean | Promise<boolean>, windowMs: number, intervalMs = 200): Promise<boolean> {
  const start = Date.now();
  const maxTries = Math.ceil(windowMs / intervalMs) + 1;
  for (let i = 0; i < maxTries && Date.now() - start <= windowMs; i++) {
    if (await probe()) return false;
    await sleep(intervalMs);
  }
  return true;
}
