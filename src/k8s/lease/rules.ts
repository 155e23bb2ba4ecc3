// Leader election on a coordination.k8s.io/v1 Lease with client-go's rules (tools/leaderelection), as
// pure functions: the shell (elector.ts) fetches the Lease, asks `decide`, and writes what it says.
//
// - A candidate may take the Lease when it does not exist, when holderIdentity is empty (released), or
//   when the record has not changed for leaseDurationSeconds as measured on the candidate's own
//   monotonic clock since it first observed that record (never the renewTime in it: clocks differ).
// - Taking it from someone else (or from nobody) increments leaseTransitions and sets acquireTime; the
//   holder renewing keeps both and only moves renewTime.
// - Release on graceful stop: holderIdentity "", leaseDurationSeconds 1, transitions kept.
// - Config: leaseDuration > renewDeadline > 1.2 × retryPeriod (client-go's JitterFactor), all > 0.
// No clock, no I/O here: the times are passed in.

export interface LeaseRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** MicroTime text (RFC 3339 with microseconds), as the API stores it. */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions: number;
}

export interface ElectionConfig {
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** client-go's JitterFactor: a candidate waits retryPeriod × (1 + 1.2 × random) between attempts. */
export const JITTER_FACTOR = 1.2;

/** The problems of an election configuration (client-go's NewLeaderElector checks); [] when fine. */
export function checkElectionConfig(c: ElectionConfig): string[] {
  const out: string[] = [];
  if (c.identity === '') out.push('the identity must not be empty');
  if (!(c.retryPeriodMs > 0)) out.push('the retry period must be > 0');
  if (!(c.leaseDurationMs > c.renewDeadlineMs))
    out.push(
      `the lease duration (${c.leaseDurationMs} ms) must be greater than the renew deadline (${c.renewDeadlineMs} ms)`,
    );
  if (!(c.renewDeadlineMs > JITTER_FACTOR * c.retryPeriodMs)) {
    out.push(
      `the renew deadline (${c.renewDeadlineMs} ms) must be greater than ${JITTER_FACTOR} × the retry period (${c.retryPeriodMs} ms)`,
    );
  }
  if (c.leaseDurationMs % 1000 !== 0)
    out.push('the lease duration must be a whole number of seconds (leaseDurationSeconds)');
  return out;
}

/** What a candidate last saw: the record and when (its monotonic clock) it first saw it like that. */
export interface Observed {
  record: LeaseRecord;
  at: number;
}

/** Kubernetes MicroTime: 2026-01-01T00:00:00.000000Z. */
export function microTime(wallMs: number): string {
  return new Date(wallMs).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/** The observation after reading `current` at `now`: kept when unchanged (its clock keeps running). */
export function observe(previous: Observed | undefined, current: LeaseRecord, now: number): Observed {
  return previous !== undefined && sameRecord(previous.record, current) ? previous : { record: current, at: now };
}

export type Decision =
  /** Write this record (create when the Lease does not exist). `takeover`: from a holder that did not release. */
  | { kind: 'write'; record: LeaseRecord; takeover: boolean; previousHolder: string }
  /** Someone else holds a lease that has not expired by our clock. */
  | { kind: 'wait'; holder: string; expiresInMs: number };

/**
 * One tryAcquireOrRenew step. `current`: the Lease's record (undefined: no Lease); `observed`: what we
 * saw of it, already updated with `observe`; `now`: monotonic ms; `wallNow`: unix ms for the record.
 */
export function decide(
  config: ElectionConfig,
  current: LeaseRecord | undefined,
  observed: Observed | undefined,
  now: number,
  wallNow: number,
): Decision {
  const time = microTime(wallNow);
  const leaseDurationSeconds = Math.round(config.leaseDurationMs / 1000);
  if (current === undefined) {
    return {
      kind: 'write',
      record: {
        holderIdentity: config.identity,
        leaseDurationSeconds,
        acquireTime: time,
        renewTime: time,
        leaseTransitions: 0,
      },
      takeover: false,
      previousHolder: '',
    };
  }
  const holder = current.holderIdentity ?? '';
  if (holder === config.identity) {
    return {
      kind: 'write',
      record: { ...current, leaseDurationSeconds, renewTime: time },
      takeover: false,
      previousHolder: holder,
    };
  }
  if (holder !== '') {
    const since = observed?.at ?? now;
    const expiresInMs = since + current.leaseDurationSeconds * 1000 - now;
    if (expiresInMs > 0) return { kind: 'wait', holder, expiresInMs };
  }
  return {
    kind: 'write',
    record: {
      holderIdentity: config.identity,
      leaseDurationSeconds,
      acquireTime: time,
      renewTime: time,
      leaseTransitions: (current.leaseTransitions ?? 0) + 1,
    },
    takeover: holder !== '',
    previousHolder: holder,
  };
}

/** client-go's release: nobody holds it, and it expires after one second for anyone still looking. */
export function releasedRecord(current: LeaseRecord, wallNow: number): LeaseRecord {
  const time = microTime(wallNow);
  return {
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: time,
    renewTime: time,
    leaseTransitions: current.leaseTransitions,
  };
}
