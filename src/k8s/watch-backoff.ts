// How informers back off between failed lists/watches (the backoff itself is src/time's backoffDelay).
import type { BackoffPolicy } from '../time/index.ts';

/** Reconnects of a failed list/watch: the API server may be restarting; do not hammer it. */
export const WATCH_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 10_000 };
