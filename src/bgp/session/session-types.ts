// The public types of a BGP session: its options, counters and the events it emits.
import type { Logger } from '../../log/index.ts';
import type { Family } from '../../net/family.ts';
import type { FsmStateName } from '../fsm/index.ts';
import type { Clock } from '../../time/index.ts';
import type { Connector } from './transport.ts';

export interface SessionOptions {
  /** Peer name for logs and status (defaults to the address). */
  name?: string;
  peerAddress: string;
  peerPort?: number;
  /** Local address to connect from (and to use as next hop of its family when none is given). */
  sourceAddress?: string;
  localAsn: number;
  peerAsn: number;
  routerId: string;
  holdTime?: number;
  keepaliveTime?: number;
  /** Only accept connections, never connect. */
  passive?: boolean;
  families?: Family[];
  /** Next hops per family; by default the session's local address of that family. */
  nextHops?: { ipv4?: string; ipv6?: string; ipv6LinkLocal?: string };
  password?: string;
  /** Outgoing TTL (set 255 for eBGP multihop or GTSM). */
  ttl?: number;
  /** GTSM minimum incoming TTL (RFC 5082). */
  minTtl?: number;
  device?: string;
  /** RFC 4724: restart time advertised (seconds), and whether this process is restarting (R bit). */
  gracefulRestart?: { restartTime: number; restarting: boolean };
  connectRetry?: { minSeconds: number; maxSeconds: number };
  connectTimeoutMs?: number;
  openHoldTime?: number;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  connector?: Connector;
  /**
   * RFC 9687 SendHoldTime (seconds): a peer that reads nothing of what we send for this long is closed
   * with NOTIFICATION 8 (Send Hold Timer Expired). Default: the RFC's 8 minutes, or twice the negotiated
   * hold time when that is longer.
   */
  sendHoldTime?: number;
  /** Bulk output allowed to wait for a slow peer before producers stop (octets; default 256 KiB). */
  outputHighWater?: number;
  /** Runs `fn` on a later turn of the event loop (default setImmediate): how a busy session yields. */
  defer?: (fn: () => void) => void;
  /** Prometheus counters (src/bgp/speaker/metrics.ts BgpMetrics implements this). */
  metrics?: SessionMetrics;
  /** Rate limit of error log lines per reason (default error-log.ts DEFAULT_LOG_LIMIT). */
  logLimit?: { burst: number; intervalMs: number };
}

/** The session's counting hooks, labelled by peer name. */
export interface SessionMetrics {
  receivedError(peer: string, reason: string): void;
  /** result: resent | coalesced | ignored-<why> | borr | eorr */
  routeRefresh(peer: string, result: string): void;
  sendHoldExpired(peer: string): void;
  suppressed(peer: string, reason: string): void;
}

export interface SessionCounters {
  updatesSent: number;
  updatesReceived: number;
  notificationsSent: number;
  notificationsReceived: number;
  prefixesAdvertised: number;
  prefixesReceived: number;
  treatAsWithdraw: number;
  attributesDiscarded: number;
  establishedTransitions: number;
  routeRefreshesReceived: number;
  /** ROUTE-REFRESH requests merged into a resend already pending for the family. */
  routeRefreshesCoalesced: number;
  /** ROUTE-REFRESH messages ignored (family not negotiated, reserved subtype). */
  routeRefreshesIgnored: number;
  /** Adj-RIB-Out resends of one family done for ROUTE-REFRESH requests. */
  routeRefreshResends: number;
  /** Sessions closed by the RFC 9687 send hold timer. */
  sendHoldTimerExpired: number;
  /** Errors in what the peer sent (malformed messages, RFC 7606 handling, ignored refreshes). */
  receivedErrors: number;
  /** Routes in set() that could not be sent (family not negotiated, no next hop of the family). */
  routesSkipped: number;
}

export function newCounters(): SessionCounters {
  return {
    updatesSent: 0,
    updatesReceived: 0,
    notificationsSent: 0,
    notificationsReceived: 0,
    prefixesAdvertised: 0,
    prefixesReceived: 0,
    treatAsWithdraw: 0,
    attributesDiscarded: 0,
    establishedTransitions: 0,
    routeRefreshesReceived: 0,
    routeRefreshesCoalesced: 0,
    routeRefreshesIgnored: 0,
    routeRefreshResends: 0,
    sendHoldTimerExpired: 0,
    receivedErrors: 0,
    routesSkipped: 0,
  };
}

export interface StateChange {
  peer: string;
  state: FsmStateName;
  previous: FsmStateName;
  reason: string;
}

export interface NotificationEvent {
  peer: string;
  direction: 'sent' | 'received';
  code: number;
  subcode: number;
}
