// Types of the pure BGP finite state machine (RFC 4271 §8). The FSM never touches sockets or clocks: it
// maps (state, event) to a new state and a list of actions that the session executes.

export type FsmStateName = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

/** Timers named as in RFC 4271 §8.1.3 (IdleHold is the automatic-restart damping timer of §8.1.1). */
export type TimerName = 'ConnectRetry' | 'Hold' | 'Keepalive' | 'IdleHold';

export const TIMER_NAMES: readonly TimerName[] = ['ConnectRetry', 'Hold', 'Keepalive', 'IdleHold'];

export interface AfiSafi {
  afi: number; // 1 = IPv4, 2 = IPv6
  safi: number; // 1 = unicast
}

/** What the FSM needs to know of a received OPEN (the session converts the codec's Open into this). */
export interface PeerOpen {
  version: number;
  /** The 2-octet "My Autonomous System" field (AS_TRANS 23456 when the real AS needs 4 octets). */
  myAsn: number;
  holdTime: number;
  /** BGP Identifier as an unsigned 32-bit integer. */
  bgpId: number;
  /** RFC 6793 4-octet AS capability value, when advertised. */
  fourOctetAs?: number;
  /** RFC 4760 multiprotocol capabilities; undefined means none were advertised (IPv4 unicast implied). */
  multiprotocol?: AfiSafi[];
  routeRefresh: boolean;
  /** RFC 7313 Enhanced Route Refresh capability (70) advertised. */
  enhancedRouteRefresh?: boolean;
  /** RFC 4724 graceful restart capability, when advertised. */
  gracefulRestart?: { restarting: boolean; restartTime: number };
}

/** Parameters agreed with the peer once its OPEN is accepted. */
export interface Negotiated {
  holdTime: number; // seconds; 0 = no hold timer and no keepalives
  keepaliveTime: number; // seconds; 0 when holdTime is 0
  fourOctetAs: boolean;
  families: AfiSafi[];
  peerBgpId: number;
  peerAsn: number;
  routeRefresh: boolean;
  /** RFC 7313: both sides advertised Enhanced Route Refresh (we always do). */
  enhancedRouteRefresh?: boolean;
  gracefulRestart?: { restarting: boolean; restartTime: number };
}

export interface FsmConfig {
  localAsn: number;
  peerAsn: number;
  /** Our BGP Identifier as an unsigned 32-bit integer. */
  bgpId: number;
  /** Proposed hold time (seconds): 0 or >= 3. */
  holdTime: number;
  /** Configured keepalive interval; never used above a third of the negotiated hold time. */
  keepaliveTime?: number;
  /** Hold timer while waiting for the peer's OPEN (RFC 4271 §8.2.2 suggests 4 minutes). */
  openHoldTime: number;
  /** Never initiate TCP connections; only accept. */
  passive: boolean;
  /** Address families we offer. */
  families: AfiSafi[];
  /** Reconnect back-off: first delay, cap (seconds) and the injected random source in [0, 1). */
  connectRetry: { minSeconds: number; maxSeconds: number };
  random: () => number;
}

export interface FsmState {
  name: FsmStateName;
  /** RFC 4271 ConnectRetryCounter; drives the reconnect back-off. */
  connectRetryCounter: number;
  /** Set by ManualStart, cleared by ManualStop: whether to restart automatically after an error. */
  enabled: boolean;
  /** Whether the last start was passive (no outgoing connection). */
  passiveStart: boolean;
  /** Which timers are currently running (kept in step with start/stop actions). */
  timers: Record<TimerName, boolean>;
  /** Set from OpenConfirm on. */
  negotiated?: Negotiated;
}

export interface ErrorInfo {
  code: number;
  subcode: number;
  data?: Uint8Array;
}

export type FsmEvent =
  | { type: 'ManualStart' }
  | { type: 'ManualStart_with_PassiveTcpEstablishment' }
  /**
   * restart=true: stop without NOTIFICATION so the peer's graceful-restart helper keeps our routes.
   * ceaseSubcode: the RFC 4486 Cease subcode to send (default 2, Administrative Shutdown).
   */
  | { type: 'ManualStop'; restart?: boolean; ceaseSubcode?: number }
  | { type: 'AutomaticStart' }
  /** RFC 4271 event 5: start for one passive attempt (the session uses it to accept a connection in Idle). */
  | { type: 'AutomaticStart_with_PassiveTcpEstablishment' }
  | { type: 'IdleHoldTimer_Expires' }
  | { type: 'ConnectRetryTimer_Expires' }
  | { type: 'HoldTimer_Expires' }
  | { type: 'KeepaliveTimer_Expires' }
  /** RFC 9687: the peer has not read what we send for the send hold time (the session runs that timer). */
  | { type: 'SendHoldTimer_Expires' }
  | { type: 'TcpConnection_Valid' }
  | { type: 'Tcp_CR_Invalid' }
  | { type: 'Tcp_CR_Acked' }
  | { type: 'TcpConnectionConfirmed' }
  | { type: 'TcpConnectionFails' }
  | { type: 'BGPOpen'; open: PeerOpen }
  | ({ type: 'BGPHeaderErr' } & ErrorInfo)
  | ({ type: 'BGPOpenMsgErr' } & ErrorInfo)
  | { type: 'NotifMsgVerErr' }
  | { type: 'NotifMsg' }
  | { type: 'KeepAliveMsg' }
  | { type: 'UpdateMsg' }
  | ({ type: 'UpdateMsgErr' } & ErrorInfo)
  | { type: 'RouteRefreshMsg' }
  | { type: 'OpenCollisionDump' }
  /** BFD reports the forwarding path down (RFC 5882): tear the session down at once. */
  | { type: 'BfdDown' };

export type FsmEventType = FsmEvent['type'];

export type FsmAction =
  | { type: 'connect' }
  | { type: 'close' }
  | { type: 'sendOpen' }
  | { type: 'sendKeepalive' }
  | ({ type: 'sendNotification' } & ErrorInfo)
  | { type: 'startTimer'; timer: TimerName; seconds: number }
  | { type: 'stopTimer'; timer: TimerName }
  | { type: 'processUpdate' }
  | { type: 'processRouteRefresh' }
  | { type: 'establish'; negotiated: Negotiated }
  /** Leaving a session: forget Adj-RIB-In/Out of this connection. `reason` is for logs and status. */
  | { type: 'releaseResources'; reason: string };

export interface StepResult {
  state: FsmState;
  actions: FsmAction[];
  /** Why the event was ignored, when it was (for logs and tests). */
  ignored?: string;
}
