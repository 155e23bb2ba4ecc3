// The BGP speaker's Prometheus metrics, in a registry of their own (no global state: tests and the lab
// run several speakers in one process). Sessions count through the SessionMetrics interface, so the
// session code does not depend on src/metrics; labels are the peer name and a small fixed set of reasons.
import { Counter, Registry } from '../../metrics/index.ts';
import type { SessionMetrics } from '../session/session-types.ts';

export class BgpMetrics implements SessionMetrics {
  readonly registry = new Registry();
  readonly receivedErrors: Counter<'peer' | 'reason'>;
  readonly routeRefreshes: Counter<'peer' | 'result'>;
  readonly sendHoldTimerExpired: Counter<'peer'>;
  readonly logSuppressed: Counter<'peer' | 'reason'>;

  constructor() {
    const registers = [this.registry];
    this.receivedErrors = new Counter({
      name: 'ferrolb_bgp_received_errors_total',
      help: 'Errors in what a peer sent, by reason (malformed-<code>-<subcode>, treat-as-withdraw, attribute-discard, route-refresh-<why>); counted even when the log line is rate-limited',
      labelNames: ['peer', 'reason'],
      registers,
    });
    this.routeRefreshes = new Counter({
      name: 'ferrolb_bgp_route_refresh_received_total',
      help: 'ROUTE-REFRESH messages received, by result (resent, coalesced into a pending resend, ignored, borr, eorr)',
      labelNames: ['peer', 'result'],
      registers,
    });
    this.sendHoldTimerExpired = new Counter({
      name: 'ferrolb_bgp_send_hold_timer_expired_total',
      help: 'Sessions closed because the peer did not read for the send hold time (RFC 9687)',
      labelNames: ['peer'],
      registers,
    });
    this.logSuppressed = new Counter({
      name: 'ferrolb_bgp_log_lines_suppressed_total',
      help: 'Error log lines held back by the per-peer, per-reason rate limit (the errors are still counted)',
      labelNames: ['peer', 'reason'],
      registers,
    });
  }

  receivedError(peer: string, reason: string): void {
    this.receivedErrors.inc({ peer, reason });
  }

  routeRefresh(peer: string, result: string): void {
    this.routeRefreshes.inc({ peer, result });
  }

  sendHoldExpired(peer: string): void {
    this.sendHoldTimerExpired.inc({ peer });
  }

  suppressed(peer: string, reason: string): void {
    this.logSuppressed.inc({ peer, reason });
  }
}
