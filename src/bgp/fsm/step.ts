// The BGP finite state machine of RFC 4271 §8.2.2 as a pure function: (state, event, config) → new state
// and the actions the session must carry out, in order. No sockets, no clocks, no exceptions: an event
// that makes no sense in a state is either ignored (with a reason) or answered as the RFC says (usually
// an FSM-error NOTIFICATION, RFC 6608). Differences from the letter of the RFC, on purpose:
//  - no DelayOpen timer and no collision detection inside the FSM (the session runs one FSM per TCP
//    connection and feeds OpenCollisionDump to the loser, §6.8);
//  - automatic restart with damping (§8.1.1): after an error, when still enabled, the IdleHold timer is
//    started with an exponential back-off from ConnectRetryCounter, and its expiry restarts the session;
//  - timer-expiry events for timers that are not running are ignored (stale timers cannot hurt);
//  - ManualStop{restart:true} closes without NOTIFICATION (graceful restart, RFC 4724).
import { backoffSeconds } from './backoff.ts';
import { checkOpen } from './open-check.ts';
import type {
  ErrorInfo,
  FsmAction,
  FsmConfig,
  FsmEvent,
  FsmState,
  FsmStateName,
  StepResult,
  TimerName,
} from './types.ts';
import { CeaseSubcode, ErrorCode, FsmSubcode } from '../errors.ts';

export function initialState(): FsmState {
  return {
    name: 'Idle',
    connectRetryCounter: 0,
    enabled: false,
    passiveStart: false,
    timers: { ConnectRetry: false, Hold: false, Keepalive: false, IdleHold: false },
  };
}

const TIMER_EVENT: Partial<Record<FsmEvent['type'], TimerName>> = {
  ConnectRetryTimer_Expires: 'ConnectRetry',
  HoldTimer_Expires: 'Hold',
  KeepaliveTimer_Expires: 'Keepalive',
  IdleHoldTimer_Expires: 'IdleHold',
};

/** Mutable working copy for one step; keeps `timers` in step with the timer actions it emits. */
class Tx {
  state: FsmState;
  actions: FsmAction[] = [];
  readonly cfg: FsmConfig;
  constructor(state: FsmState, cfg: FsmConfig) {
    this.state = { ...state, timers: { ...state.timers } };
    this.cfg = cfg;
  }
  do(action: FsmAction): this {
    this.actions.push(action);
    return this;
  }
  start(timer: TimerName, seconds: number): this {
    this.state.timers[timer] = true;
    return this.do({ type: 'startTimer', timer, seconds });
  }
  stop(timer: TimerName): this {
    if (!this.state.timers[timer]) return this;
    this.state.timers[timer] = false;
    return this.do({ type: 'stopTimer', timer });
  }
  notify(e: ErrorInfo): this {
    return this.do({ type: 'sendNotification', code: e.code, subcode: e.subcode, ...(e.data ? { data: e.data } : {}) });
  }
  to(name: FsmStateName): this {
    this.state.name = name;
    return this;
  }
  retryDelay(): number {
    return backoffSeconds(this.state.connectRetryCounter, this.cfg.connectRetry, this.cfg.random);
  }
  /**
   * Drop the connection and go to Idle. `counter`: 'inc' after an error, 'reset' after a manual stop.
   * When still enabled, arm the IdleHold timer so the session restarts after a back-off.
   */
  toIdle(reason: string, counter: 'inc' | 'reset' | 'keep'): StepResult {
    for (const t of ['ConnectRetry', 'Hold', 'Keepalive', 'IdleHold'] as const) this.stop(t);
    this.do({ type: 'releaseResources', reason }).do({ type: 'close' });
    if (counter === 'inc') this.state.connectRetryCounter += 1;
    if (counter === 'reset') this.state.connectRetryCounter = 0;
    delete this.state.negotiated;
    this.to('Idle');
    if (this.state.enabled) this.start('IdleHold', this.retryDelay());
    return this.done();
  }
  done(ignored?: string): StepResult {
    return ignored === undefined
      ? { state: this.state, actions: this.actions }
      : { state: this.state, actions: this.actions, ignored };
  }
}

const START_EVENTS: ReadonlySet<FsmEvent['type']> = new Set<FsmEvent['type']>([
  'ManualStart',
  'ManualStart_with_PassiveTcpEstablishment',
  'AutomaticStart',
  'AutomaticStart_with_PassiveTcpEstablishment',
]);

export function step(state: FsmState, event: FsmEvent, cfg: FsmConfig): StepResult {
  const tx = new Tx(state, cfg);
  const timer = TIMER_EVENT[event.type];
  if (timer !== undefined && !state.timers[timer]) return tx.done(`${timer} timer is not running`);
  if (event.type === 'BfdDown') {
    if (state.name === 'Idle') return tx.done('already Idle');
    if (state.name === 'Established' || state.name === 'OpenConfirm' || state.name === 'OpenSent') {
      // RFC 5882 §10.2: BFD down tears the session down; tell the peer why (Cease).
      tx.notify({ code: ErrorCode.Cease, subcode: 0 });
    }
    return tx.toIdle('BFD session down', 'inc');
  }
  // RFC 4271 §8.2.2: in every state but Idle the start events are ignored.
  if (state.name !== 'Idle' && START_EVENTS.has(event.type)) return tx.done(`${event.type} ignored: already started`);
  switch (state.name) {
    case 'Idle':
      return idle(tx, event);
    case 'Connect':
    case 'Active':
      return connectOrActive(tx, event);
    case 'OpenSent':
      return openSent(tx, event);
    case 'OpenConfirm':
      return openConfirm(tx, event);
    case 'Established':
      return established(tx, event);
  }
}

function start(tx: Tx, passive: boolean, remember = true): StepResult {
  if (remember) tx.state.passiveStart = passive;
  tx.stop('IdleHold');
  tx.start('ConnectRetry', tx.retryDelay());
  if (passive) return tx.to('Active').done();
  return tx.do({ type: 'connect' }).to('Connect').done();
}

function idle(tx: Tx, event: FsmEvent): StepResult {
  switch (event.type) {
    case 'ManualStart':
      tx.state.enabled = true;
      tx.state.connectRetryCounter = 0;
      return start(tx, tx.cfg.passive);
    case 'ManualStart_with_PassiveTcpEstablishment':
      tx.state.enabled = true;
      tx.state.connectRetryCounter = 0;
      return start(tx, true);
    case 'AutomaticStart':
    case 'IdleHoldTimer_Expires':
      tx.state.timers.IdleHold = false;
      if (!tx.state.enabled) return tx.done('not enabled (stopped manually)');
      return start(tx, tx.state.passiveStart || tx.cfg.passive);
    case 'AutomaticStart_with_PassiveTcpEstablishment':
      if (!tx.state.enabled) return tx.done('not enabled (stopped manually)');
      return start(tx, true, false);
    case 'ManualStop':
      tx.state.enabled = false;
      tx.state.connectRetryCounter = 0;
      tx.stop('IdleHold');
      return tx.done();
    default:
      return tx.done(`${event.type} ignored in Idle`);
  }
}

function connectionUp(tx: Tx): StepResult {
  tx.stop('ConnectRetry');
  tx.do({ type: 'sendOpen' });
  tx.start('Hold', tx.cfg.openHoldTime);
  return tx.to('OpenSent').done();
}

function connectOrActive(tx: Tx, event: FsmEvent): StepResult {
  const inConnect = tx.state.name === 'Connect';
  switch (event.type) {
    case 'ManualStop':
      tx.state.enabled = false;
      return tx.toIdle('stopped', 'reset');
    case 'ConnectRetryTimer_Expires':
      if (inConnect) tx.do({ type: 'close' });
      // An attempt that never completed (SYNs dropped) counts as a failure: back off further.
      tx.state.connectRetryCounter += 1;
      tx.start('ConnectRetry', tx.retryDelay());
      if (tx.state.passiveStart || tx.cfg.passive) return tx.to('Active').done();
      return tx.do({ type: 'connect' }).to('Connect').done();
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      return connectionUp(tx);
    case 'TcpConnection_Valid':
    case 'Tcp_CR_Invalid':
      return tx.done(`${event.type} needs no action in ${tx.state.name}`);
    case 'TcpConnectionFails':
      return tx.toIdle('TCP connection failed', 'inc');
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
      return tx.notify(event).toIdle(`${event.type} ${event.code}/${event.subcode}`, 'inc');
    case 'NotifMsgVerErr':
      return tx.toIdle('peer sent version error NOTIFICATION', 'keep');
    default:
      return tx.toIdle(`unexpected ${event.type} in ${tx.state.name}`, 'inc');
  }
}

function fsmError(tx: Tx, event: FsmEvent, subcode: number): StepResult {
  return tx
    .notify({ code: ErrorCode.FiniteStateMachine, subcode })
    .toIdle(`FSM error: unexpected ${event.type} in ${tx.state.name}`, 'inc');
}

/** Common to OpenSent, OpenConfirm and Established. Returns undefined when the event is not common. */
function common(tx: Tx, event: FsmEvent): StepResult | undefined {
  switch (event.type) {
    case 'TcpConnection_Valid':
    case 'Tcp_CR_Invalid':
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      // A second connection: the session tracks it with its own FSM (collision detection, §6.8).
      return tx.done(`${event.type} belongs to another connection`);
    case 'ManualStop':
      tx.state.enabled = false;
      if (!event.restart)
        tx.notify({ code: ErrorCode.Cease, subcode: event.ceaseSubcode ?? CeaseSubcode.AdministrativeShutdown });
      return tx.toIdle(event.restart ? 'stopped for graceful restart' : 'administrative shutdown', 'reset');
    case 'HoldTimer_Expires':
      tx.state.timers.Hold = false;
      return tx.notify({ code: ErrorCode.HoldTimerExpired, subcode: 0 }).toIdle('hold timer expired', 'inc');
    case 'SendHoldTimer_Expires':
      // RFC 9687 §4: NOTIFICATION Send Hold Timer Expired (if it can still be sent), then close.
      return tx.notify({ code: ErrorCode.SendHoldTimerExpired, subcode: 0 }).toIdle('send hold timer expired', 'inc');
    case 'TcpConnectionFails':
      return tx.toIdle('TCP connection closed', 'inc');
    case 'NotifMsg':
      return tx.toIdle('peer sent NOTIFICATION', 'inc');
    case 'NotifMsgVerErr':
      return tx.toIdle('peer sent version error NOTIFICATION', 'keep');
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
    case 'UpdateMsgErr':
      return tx.notify(event).toIdle(`${event.type} ${event.code}/${event.subcode}`, 'inc');
    case 'OpenCollisionDump':
      return tx
        .notify({ code: ErrorCode.Cease, subcode: CeaseSubcode.ConnectionCollisionResolution })
        .toIdle('connection collision: this connection lost', 'inc');
    default:
      return undefined;
  }
}

function openSent(tx: Tx, event: FsmEvent): StepResult {
  if (event.type === 'BGPOpen') {
    const check = checkOpen(event.open, tx.cfg);
    if (!check.ok) return tx.notify(check.error).toIdle(`bad OPEN: ${check.reason}`, 'inc');
    const n = check.negotiated;
    tx.stop('ConnectRetry');
    tx.state.negotiated = n;
    tx.do({ type: 'sendKeepalive' });
    if (n.holdTime > 0) {
      tx.start('Keepalive', n.keepaliveTime);
      tx.start('Hold', n.holdTime);
    } else {
      tx.stop('Hold');
    }
    return tx.to('OpenConfirm').done();
  }
  if (event.type === 'TcpConnectionFails') {
    // §8.2.2 OpenSent: close, restart ConnectRetry, go to Active and keep listening.
    tx.stop('Hold');
    tx.do({ type: 'close' });
    tx.state.connectRetryCounter += 1;
    tx.start('ConnectRetry', tx.retryDelay());
    return tx.to('Active').done();
  }
  return common(tx, event) ?? fsmError(tx, event, FsmSubcode.UnexpectedMessageInOpenSent);
}

function openConfirm(tx: Tx, event: FsmEvent): StepResult {
  const n = tx.state.negotiated;
  switch (event.type) {
    case 'KeepaliveTimer_Expires':
      tx.do({ type: 'sendKeepalive' });
      return tx.start('Keepalive', n?.keepaliveTime ?? 0).done();
    case 'KeepAliveMsg':
      if (!n) return fsmError(tx, event, FsmSubcode.UnexpectedMessageInOpenConfirm);
      if (n.holdTime > 0) tx.start('Hold', n.holdTime);
      tx.state.connectRetryCounter = 0;
      tx.do({ type: 'establish', negotiated: n });
      return tx.to('Established').done();
  }
  return common(tx, event) ?? fsmError(tx, event, FsmSubcode.UnexpectedMessageInOpenConfirm);
}

function established(tx: Tx, event: FsmEvent): StepResult {
  const n = tx.state.negotiated;
  const holdTime = n?.holdTime ?? 0;
  switch (event.type) {
    case 'KeepaliveTimer_Expires':
      tx.do({ type: 'sendKeepalive' });
      return tx.start('Keepalive', n?.keepaliveTime ?? 0).done();
    case 'KeepAliveMsg':
      if (holdTime > 0) tx.start('Hold', holdTime);
      return tx.done();
    case 'UpdateMsg':
      tx.do({ type: 'processUpdate' });
      if (holdTime > 0) tx.start('Hold', holdTime);
      return tx.done();
    case 'RouteRefreshMsg':
      tx.do({ type: 'processRouteRefresh' });
      if (holdTime > 0) tx.start('Hold', holdTime);
      return tx.done();
  }
  return common(tx, event) ?? fsmError(tx, event, FsmSubcode.UnexpectedMessageInEstablished);
}
