// One single-hop BFD session (RFC 5880/5881) to a peer: runs the pure state machine (fsm.ts) on a
// transport and a clock, and reports 'up' / 'down'. The BGP session tears down on 'down'.
//   const bfd = new BfdSession({local: '192.0.2.1', peer: '192.0.2.2', profile});
//   bfd.on('down', ({diag}) => ...); await bfd.start(); ...; bfd.stop();
import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { BfdProfile } from '../../config/model.ts';
import { systemClock, type Clock, type Timer } from '../../time/index.ts';
import { DecodeError } from '../../wire/index.ts';
import { decodeControl, encodeControl } from './codec.ts';
import type { ControlDecodeCode, DropReason } from './codec.ts';
import { initialVars, nextDeadline, step, detectionTime } from './fsm.ts';
import type { BfdEvent, BfdVars } from './fsm.ts';
import { timersFromProfile } from './profile.ts';
import type { BfdPacketMeta, BfdTransport, BfdTransportFactory } from './transport.ts';
import { BFD_TTL, DIAG_NAMES } from './types.ts';
import type { BfdState, ControlPacket, DiagCode } from './types.ts';

export interface BfdSessionOptions {
  local: string;
  peer: string;
  profile: BfdProfile;
  /** SO_BINDTODEVICE for both sockets (e.g. a VRF). */
  device?: string;
  /**
   * RFC 5883 multihop (e.g. for eBGP multihop peers): UDP 4784, and received packets need a TTL of at
   * least profile.minimumTtl instead of exactly 255.
   */
  multihop?: boolean;
  clock?: Clock;
  /** Jitter source, uniform in [0, 1). */
  random?: () => number;
  /** Defaults to a random unused non-zero value. */
  localDiscriminator?: number;
  /** Defaults to UDP (udp-transport.ts): loaded lazily so tests on a memory network need no addon. */
  transport?: BfdTransportFactory;
}

export interface BfdStateChange {
  from: BfdState;
  to: BfdState;
  diag: DiagCode;
  /** RFC 5880 name of the diagnostic, e.g. "Control Detection Time Expired". */
  diagName: string;
  local: string;
  peer: string;
}

export interface BfdSessionEvents {
  up: [BfdStateChange];
  down: [BfdStateChange];
  state: [BfdStateChange];
}

export interface BfdCounters {
  sent: number;
  received: number;
  sendErrors: number;
  drops: Partial<Record<DropReason, number>>;
}

const usedDiscriminators = new Set<number>();

function allocateDiscriminator(): number {
  for (let i = 0; i < 1000; i++) {
    const d = randomInt(1, 0xffffffff);
    if (!usedDiscriminators.has(d)) return d;
  }
  throw new Error('could not allocate a free BFD discriminator');
}

export class BfdSession extends EventEmitter<BfdSessionEvents> {
  readonly local: string;
  readonly peer: string;
  readonly counters: BfdCounters = { sent: 0, received: 0, sendErrors: 0, drops: {} };
  private vars: BfdVars;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly device: string | undefined;
  private readonly multihop: boolean;
  private readonly minimumTtl: number;
  private readonly transportFactory: BfdTransportFactory | undefined;
  private transport: BfdTransport | undefined;
  private timer: Timer | undefined;
  private timerAt: number | undefined;
  private stopped = false;

  constructor(opts: BfdSessionOptions) {
    super();
    this.local = opts.local;
    this.peer = opts.peer;
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.device = opts.device;
    this.multihop = opts.multihop ?? false;
    this.minimumTtl = opts.profile.minimumTtl;
    if (this.multihop && (!Number.isInteger(this.minimumTtl) || this.minimumTtl < 1 || this.minimumTtl > 255)) {
      throw new RangeError(
        `BFDProfile ${opts.profile.name}: minimumTtl must be an integer in 1..255, got ${this.minimumTtl}`,
      );
    }
    this.transportFactory = opts.transport;
    const discr = opts.localDiscriminator ?? allocateDiscriminator();
    this.vars = initialVars(discr, timersFromProfile(opts.profile));
    usedDiscriminators.add(discr);
  }

  get state(): BfdState {
    return this.vars.state;
  }

  get localDiscriminator(): number {
    return this.vars.localDiscr;
  }

  get remoteDiscriminator(): number {
    return this.vars.remoteDiscr;
  }

  /** Current detection time in ms (0 until the peer has been heard). */
  get detectionTimeMs(): number {
    return detectionTime(this.vars) / 1000;
  }

  /** Opens the transport and starts sending (unless passive). Rejects if the sockets cannot be opened. */
  async start(): Promise<void> {
    if (this.stopped) throw new Error(`BFD session ${this.local} → ${this.peer} was stopped; create a new one`);
    if (this.transport) return;
    const factory = this.transportFactory ?? (await import('./udp-transport.ts')).udpTransport;
    this.transport = await factory({
      local: this.local,
      peer: this.peer,
      ...(this.device !== undefined ? { device: this.device } : {}),
      ...(this.multihop ? { multihop: true } : {}),
      onPacket: (bytes, meta) => this.onPacket(bytes, meta),
      onError: () => {
        this.counters.sendErrors++;
      },
    });
    if (this.stopped) {
      this.transport.close();
      return;
    }
    this.dispatch({ type: 'start' });
  }

  /** Changes timers; in Up this runs a Poll Sequence (RFC 5880 §6.8.3). */
  setProfile(profile: BfdProfile): void {
    this.dispatch({ type: 'set-config', config: timersFromProfile(profile) });
  }

  /** Signals AdminDown to the peer, closes the transport. Emits no 'down' (we chose it). */
  stop(): void {
    if (this.stopped) return;
    if (this.transport) this.dispatch({ type: 'admin-down' });
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.transport?.close();
    this.transport = undefined;
    usedDiscriminators.delete(this.vars.localDiscr);
  }

  private onPacket(bytes: Uint8Array, meta: BfdPacketMeta): void {
    if (this.stopped) return;
    this.counters.received++;
    // RFC 5881 §5: single-hop packets must arrive with TTL / hop limit 255; RFC 5883 §2: multihop ones
    // with at least the configured minimum (-1: the transport cannot tell).
    const minTtl = this.multihop ? this.minimumTtl : BFD_TTL;
    if (meta.ttl !== -1 && meta.ttl < minTtl) return this.countDrop('bad-ttl');
    let packet: ControlPacket;
    try {
      packet = decodeControl(bytes, 0).value;
    } catch (err) {
      if (err instanceof DecodeError) return this.countDrop(err.code as ControlDecodeCode);
      throw err;
    }
    this.dispatch({ type: 'receive', packet });
  }

  private countDrop(reason: DropReason): void {
    this.counters.drops[reason] = (this.counters.drops[reason] ?? 0) + 1;
  }

  private dispatch(event: BfdEvent): void {
    const result = step(this.vars, event, { now: this.clock.now(), random: this.random });
    this.vars = result.vars;
    for (const action of result.actions) {
      if (action.type === 'send') {
        if (!this.transport) continue;
        this.counters.sent++;
        this.transport.send(encodeControl(action.packet));
      } else if (action.type === 'drop') {
        this.countDrop(action.reason);
      } else if (!(this.stopped || event.type === 'admin-down')) {
        const change: BfdStateChange = {
          from: action.from,
          to: action.to,
          diag: action.diag,
          diagName: DIAG_NAMES[action.diag] ?? `diag ${action.diag}`,
          local: this.local,
          peer: this.peer,
        };
        this.emit('state', change);
        if (action.to === 'Up') this.emit('up', change);
        else if (action.from === 'Up') this.emit('down', change);
      }
    }
    this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    const at = nextDeadline(this.vars);
    if (at === this.timerAt && this.timer) return;
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = at;
    if (at === undefined) return;
    this.timer = this.clock.setTimer(at - this.clock.now(), () => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.dispatch({ type: 'timer' });
    });
  }
}
