// The BFD session as a pure function (RFC 5880 §6.8, asynchronous mode, no echo, no demand):
// (vars, event, {now, random}) → {vars, actions}. Times are milliseconds from an injected clock; intervals
// are microseconds as on the wire. The caller sends the packets in `actions`, reports state changes and
// arms one timer for nextDeadline(vars).
import { Diag } from './types.ts';
import type { BfdState, ControlPacket, DiagCode } from './types.ts';
import type { DropReason } from './codec.ts';

/** While not Up, DesiredMinTxInterval is at least one second (§6.8.3). */
export const SLOW_TX_INTERVAL_US = 1_000_000;

export interface BfdTimerConfig {
  /** bfd.DesiredMinTxInterval once Up, µs. */
  desiredMinTxInterval: number;
  /** bfd.RequiredMinRxInterval, µs (0: we do not want packets). */
  requiredMinRxInterval: number;
  /** bfd.DetectMult. */
  detectMult: number;
  /** Passive role (§6.1): send nothing until the peer has been heard. */
  passive: boolean;
}

export interface BfdVars {
  state: BfdState;
  remoteState: BfdState;
  localDiscr: number;
  remoteDiscr: number;
  localDiag: DiagCode;
  config: BfdTimerConfig;
  /** bfd.RemoteMinRxInterval, µs (1 until the peer is heard, §6.8.1). */
  remoteMinRxInterval: number;
  /** The peer's last Desired Min TX Interval, µs (detection time, §6.8.4). */
  remoteDesiredMinTxInterval: number;
  remoteDetectMult: number;
  /** DesiredMinTxInterval in force for our transmit rate, µs (an increase waits for the poll to end). */
  activeTxInterval: number;
  /** RequiredMinRxInterval in force for detection time, µs (a decrease waits for the poll to end). */
  activeRxInterval: number;
  /** A Poll Sequence is in progress (§6.5): periodic packets carry P until a packet with F arrives. */
  pollActive: boolean;
  /** Next periodic transmission, ms; undefined while we must not transmit. */
  nextTxAt: number | undefined;
  /** Detection time expiry, ms; undefined until the peer has been heard. */
  detectAt: number | undefined;
}

export type BfdEvent =
  | { type: 'start' } // administratively enabled: AdminDown → Down
  | { type: 'admin-down' } // administratively disabled (§6.8.16)
  | { type: 'receive'; packet: ControlPacket }
  | { type: 'timer' } // the deadline armed from nextDeadline() was reached
  | { type: 'set-config'; config: BfdTimerConfig };

export type BfdAction =
  | { type: 'send'; packet: ControlPacket }
  | { type: 'state'; from: BfdState; to: BfdState; diag: DiagCode }
  | { type: 'drop'; reason: DropReason };

export interface BfdContext {
  now: number;
  /** Uniform in [0, 1): jitter source (injected so tests are deterministic). */
  random: () => number;
}

export interface BfdStep {
  vars: BfdVars;
  actions: BfdAction[];
}

export function initialVars(localDiscr: number, config: BfdTimerConfig): BfdVars {
  if (!Number.isInteger(localDiscr) || localDiscr < 1 || localDiscr > 0xffffffff) {
    throw new RangeError(`BFD local discriminator must be in 1..2^32-1, got ${localDiscr}`);
  }
  checkConfig(config);
  const tx = advertisedTx('AdminDown', config);
  return {
    state: 'AdminDown',
    remoteState: 'Down',
    localDiscr,
    remoteDiscr: 0,
    localDiag: Diag.NoDiagnostic,
    config,
    remoteMinRxInterval: 1,
    remoteDesiredMinTxInterval: 0,
    remoteDetectMult: 0,
    activeTxInterval: tx,
    activeRxInterval: config.requiredMinRxInterval,
    pollActive: false,
    nextTxAt: undefined,
    detectAt: undefined,
  };
}

export function checkConfig(c: BfdTimerConfig): void {
  const max = 0xffffffff;
  if (!Number.isInteger(c.desiredMinTxInterval) || c.desiredMinTxInterval < 1 || c.desiredMinTxInterval > max) {
    throw new RangeError(`BFD desiredMinTxInterval must be 1..${max} µs, got ${c.desiredMinTxInterval}`);
  }
  if (!Number.isInteger(c.requiredMinRxInterval) || c.requiredMinRxInterval < 0 || c.requiredMinRxInterval > max) {
    throw new RangeError(`BFD requiredMinRxInterval must be 0..${max} µs, got ${c.requiredMinRxInterval}`);
  }
  if (!Number.isInteger(c.detectMult) || c.detectMult < 1 || c.detectMult > 255) {
    throw new RangeError(`BFD detectMult must be 1..255, got ${c.detectMult}`);
  }
}

/** The earliest time the caller must deliver a 'timer' event, or undefined for none. */
export function nextDeadline(v: BfdVars): number | undefined {
  if (v.nextTxAt === undefined) return v.detectAt;
  if (v.detectAt === undefined) return v.nextTxAt;
  return Math.min(v.nextTxAt, v.detectAt);
}

/** Detection time in µs (§6.8.4, asynchronous mode). */
export function detectionTime(v: BfdVars): number {
  return v.remoteDetectMult * Math.max(v.activeRxInterval, v.remoteDesiredMinTxInterval);
}

/** The transmit interval before jitter, µs (§6.8.7): the larger of ours and what the peer accepts. */
export function txInterval(v: BfdVars): number {
  return Math.max(v.activeTxInterval, v.remoteMinRxInterval);
}

export function step(vars: BfdVars, event: BfdEvent, ctx: BfdContext): BfdStep {
  const actions: BfdAction[] = [];
  let v: BfdVars = { ...vars };
  switch (event.type) {
    case 'start': {
      if (v.state !== 'AdminDown') return { vars, actions };
      v = setState(v, 'Down', Diag.NoDiagnostic, actions);
      v = applyTimers(v);
      v.nextTxAt = mayTransmit(v) ? ctx.now : undefined;
      break;
    }
    case 'admin-down': {
      if (v.state === 'AdminDown') return { vars, actions };
      v = setState(v, 'AdminDown', Diag.AdministrativelyDown, actions);
      v.pollActive = false;
      actions.push({ type: 'send', packet: packet(v, false, false) });
      v.nextTxAt = undefined;
      v.detectAt = undefined;
      break;
    }
    case 'set-config': {
      checkConfig(event.config);
      v.config = event.config;
      v = applyTimers(v);
      v = reschedule(v, ctx);
      break;
    }
    case 'timer':
      v = onTimer(v, ctx, actions);
      break;
    case 'receive':
      v = onReceive(v, event.packet, ctx, actions);
      break;
  }
  return { vars: v, actions };
}

function onTimer(v: BfdVars, ctx: BfdContext, actions: BfdAction[]): BfdVars {
  if (v.detectAt !== undefined && ctx.now >= v.detectAt) {
    v.detectAt = undefined;
    v.remoteDiscr = 0; // §6.8.1: reset once Detection Time passes without packets
    if (v.state === 'Init' || v.state === 'Up') {
      v = setState(v, 'Down', Diag.ControlDetectionTimeExpired, actions);
      v = applyTimers(v);
      actions.push({ type: 'send', packet: packet(v, v.pollActive, false) });
      v.nextTxAt = undefined;
      v = reschedule(v, ctx);
    }
  }
  if (v.nextTxAt !== undefined && ctx.now >= v.nextTxAt) {
    if (mayTransmit(v)) {
      actions.push({ type: 'send', packet: packet(v, v.pollActive, false) });
      v.nextTxAt = ctx.now + jittered(v, ctx);
    } else {
      v.nextTxAt = undefined;
    }
  }
  return v;
}

function onReceive(v: BfdVars, p: ControlPacket, ctx: BfdContext, actions: BfdAction[]): BfdVars {
  // §6.8.6, the checks that need the session (the codec did the rest).
  if (p.auth) return drop(v, 'auth-not-configured', actions);
  if (p.yourDiscriminator !== 0 && p.yourDiscriminator !== v.localDiscr)
    return drop(v, 'unknown-your-discriminator', actions);
  if (v.state === 'AdminDown') return drop(v, 'admin-down-local', actions);
  v.remoteDiscr = p.myDiscriminator;
  v.remoteState = p.state;
  v.remoteMinRxInterval = p.requiredMinRxInterval;
  v.remoteDesiredMinTxInterval = p.desiredMinTxInterval;
  v.remoteDetectMult = p.detectMult;
  if (p.final && v.pollActive) {
    v.pollActive = false;
    v.activeTxInterval = advertisedTx(v.state, v.config);
    v.activeRxInterval = v.config.requiredMinRxInterval;
  }
  v.detectAt = ctx.now + detectionTime(v) / 1000;

  const before = v.state;
  if (p.state === 'AdminDown') {
    if (v.state !== 'Down') v = setState(v, 'Down', Diag.NeighborSignaledSessionDown, actions);
  } else if (v.state === 'Down') {
    if (p.state === 'Down') v = setState(v, 'Init', v.localDiag, actions);
    else if (p.state === 'Init') v = setState(v, 'Up', Diag.NoDiagnostic, actions);
  } else if (v.state === 'Init') {
    if (p.state === 'Init' || p.state === 'Up') v = setState(v, 'Up', Diag.NoDiagnostic, actions);
  } else if (v.state === 'Up') {
    if (p.state === 'Down') v = setState(v, 'Down', Diag.NeighborSignaledSessionDown, actions);
  }
  if (v.state !== before) v = applyTimers(v);

  if (p.poll) {
    // §6.8.7: answer a Poll with Final at once, regardless of the transmit timer; never P and F together.
    actions.push({ type: 'send', packet: packet(v, false, true) });
  } else if (v.state !== before) {
    // Tell the peer at once so the three-way handshake does not wait for the (slow) transmit timer.
    actions.push({ type: 'send', packet: packet(v, v.pollActive, false) });
  }
  return reschedule(v, ctx);
}

function drop(v: BfdVars, reason: DropReason, actions: BfdAction[]): BfdVars {
  actions.push({ type: 'drop', reason });
  return v;
}

function setState(v: BfdVars, to: BfdState, diag: DiagCode, actions: BfdAction[]): BfdVars {
  actions.push({ type: 'state', from: v.state, to, diag });
  return { ...v, state: to, localDiag: diag };
}

/** DesiredMinTxInterval we advertise: the configured value once Up, at least 1 s before (§6.8.3). */
export function advertisedTx(state: BfdState, c: BfdTimerConfig): number {
  return state === 'Up' ? c.desiredMinTxInterval : Math.max(c.desiredMinTxInterval, SLOW_TX_INTERVAL_US);
}

/**
 * Brings the intervals in force in line with what we advertise. Outside Up changes apply at once; in Up a
 * Poll Sequence starts, a faster TX and a slower RX apply at once, the rest when the Final arrives.
 */
function applyTimers(v: BfdVars): BfdVars {
  const tx = advertisedTx(v.state, v.config);
  const rx = v.config.requiredMinRxInterval;
  if (v.state !== 'Up') return { ...v, activeTxInterval: tx, activeRxInterval: rx, pollActive: false };
  if (tx === v.activeTxInterval && rx === v.activeRxInterval && !v.pollActive) return v;
  return {
    ...v,
    activeTxInterval: Math.min(v.activeTxInterval, tx),
    activeRxInterval: Math.max(v.activeRxInterval, rx),
    pollActive: true,
  };
}

function mayTransmit(v: BfdVars): boolean {
  if (v.state === 'AdminDown') return false;
  if (v.config.passive && v.remoteDiscr === 0) return false; // §6.8.7
  return v.remoteMinRxInterval !== 0; // the peer asked for no packets
}

/** Arms the periodic timer if needed, or brings it forward when the interval shrank. */
function reschedule(v: BfdVars, ctx: BfdContext): BfdVars {
  if (!mayTransmit(v)) return { ...v, nextTxAt: undefined };
  const interval = jittered(v, ctx);
  if (v.nextTxAt === undefined || v.nextTxAt - ctx.now > interval) return { ...v, nextTxAt: ctx.now + interval };
  return v;
}

/** Interval in ms less 0–25% jitter (0–10% more when DetectMult is 1), §6.8.7. */
function jittered(v: BfdVars, ctx: BfdContext): number {
  const r = Math.min(Math.max(ctx.random(), 0), 1);
  const factor = v.config.detectMult === 1 ? 0.75 + 0.15 * r : 0.75 + 0.25 * r;
  return (txInterval(v) / 1000) * factor;
}

function packet(v: BfdVars, poll: boolean, final: boolean): ControlPacket {
  return {
    version: 1,
    diag: v.localDiag,
    state: v.state,
    poll,
    final,
    controlPlaneIndependent: false,
    demand: false,
    multipoint: false,
    detectMult: v.config.detectMult,
    myDiscriminator: v.localDiscr,
    yourDiscriminator: v.remoteDiscr,
    desiredMinTxInterval: advertisedTx(v.state, v.config),
    requiredMinRxInterval: v.config.requiredMinRxInterval,
    requiredMinEchoRxInterval: 0, // no Echo function
  };
}
