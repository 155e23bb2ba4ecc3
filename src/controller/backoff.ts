// The controller's retry policy (the backoff itself is src/time's backoffDelay).
import type { BackoffPolicy } from '../time/index.ts';

/** Retries of a failed reconcile: fast first retry, capped so a long outage retries every 30 s. */
export const RECONCILE_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 30_000 };
