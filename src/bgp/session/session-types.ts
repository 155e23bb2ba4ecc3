// The public types of a BGP session: its options, counters and the events it emits.
import type { Logger } from 'pino';
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
