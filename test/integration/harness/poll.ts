// Bounded polling: the harness waits for readiness by asking again, never by sleeping a fixed time.
// Every wait has a count bound and a time bound and says what it waited for when it gives up.

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
  const head = aborted !== undefined
    ? `gave up waiting for ${opts.what}: ${aborted}`
    : `timed out after ${timeoutMs} ms waiting for ${opts.what}`;
  throw new Error(`${head}${last}${diag}`);
}
