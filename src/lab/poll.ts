// Bounded polling for every integration test (API server harness and BGP lab): waits ask again, never
// sleep a fixed time and hope. Every wait has a count bound and a time bound and says what it waited for.

export interface PollOptions {
  /** What is awaited, for the error message. */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** Extra diagnostics appended to the timeout error (e.g. a daemon's log tail). */
  diagnostics?: () => string | Promise<string>;
  /** Checked before each try: a non-undefined string aborts the wait with that reason (e.g. "etcd exited"). */
  abort?: () => string | undefined;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `probe` until it returns something other than undefined/false; returns that value. */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  opts: PollOptions,
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const intervalMs = opts.intervalMs ?? 100;
  const maxTries = Math.ceil(timeoutMs / intervalMs) + 1;
  const start = performance.now();
  let lastError: unknown;
  let aborted: string | undefined;
  for (let i = 0; i < maxTries && performance.now() - start <= timeoutMs; i++) {
    aborted = opts.abort?.();
    if (aborted !== undefined) break;
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    await sleep(intervalMs);
  }
  const diag = opts.diagnostics ? `\n--- diagnostics ---\n${await opts.diagnostics()}` : '';
  const last = lastError instanceof Error ? `\n  last error: ${lastError.message}` : '';
  const head =
    aborted !== undefined
      ? `gave up waiting for ${opts.what}: ${aborted}`
      : `timed out after ${timeoutMs} ms waiting for ${opts.what}`;
  throw new Error(`${head}${last}${diag}`);
}

/**
 * Checks that `probe` stays falsy for the whole window (bounded). Returns true when it never became
 * true; false (immediately) as soon as it did. For negative checks such as "a wrong MD5 key never
 * brings the session up".
 */
export async function staysFalse(
  probe: () => boolean | Promise<boolean>,
  windowMs: number,
  intervalMs = 200,
): Promise<boolean> {
  const start = performance.now();
  const maxTries = Math.ceil(windowMs / intervalMs) + 1;
  for (let i = 0; i < maxTries && performance.now() - start <= windowMs; i++) {
    if (await probe()) return false;
    await sleep(intervalMs);
  }
  return true;
}
