// SWIM with Lifeguard (the rules; no I/O): probe one member per period (direct ping, then a second direct
// ping, indirect pings through k members with nacks, and a ping over a stream), suspicion refuted by a
// higher incarnation with Lifeguard's confirmations shrinking the timeout, dead and left, piggy-backed
// broadcasts with a retransmit limit growing with log N, periodic push-pull, healing (re-dialling missing
// configured peers and dead members), graceful leave. Time from the injected Clock, randomness from the
// injected source, packets through the narrow Transport.
import { TimerGroup } from '../../time/index.ts';
import type { Clock, Timer } from '../../time/index.ts';
import { DecodeError } from '../../wire/index.ts';
import type {
  Address,
  Alive,
  Dead,
  IndirectPing,
  Message,
  Ping,
  PushPull,
  PushPullMember,
  SimpleMessage,
  Suspect,
} from '../codec/index.ts';
import { COMPOUND_OVERHEAD, PROTOCOL_MAX, PROTOCOL_MIN, ferroWireFormat, partLength } from '../codec/index.ts';
import { Awareness } from './awareness.ts';
import { PendingAcks } from './pending-acks.ts';
import { BroadcastQueue, retransmitLimit } from './broadcasts.ts';
import type { SwimConfig } from './config.ts';
import type { Member, MemberEvent, MemberView } from './member.ts';
import { sameAddress, sameBytes, view } from './member.ts';
import type { Random } from './random.ts';
import { pickRandom } from './random.ts';
import { Suspicion } from './suspicion.ts';
import type { Transport } from './transport.ts';
import { addressKey } from './transport.ts';

export type ProbeResult = 'ack' | 'indirect-ack' | 'failed' | 'stalled';

export interface SwimHooks {
  onEvent(e: MemberEvent): void;
  /** A packet or message was dropped or ignored; `reason` is a stable kebab-case code. */
  onIgnored?(reason: string, from?: Address): void;
  onProbe?(result: ProbeResult, target: string): void;
  onSent?(kind: 'packet' | 'stream', bytes: number): void;
}

interface Pending {
  ack: () => void;
  nack: () => void;
}

export class Swim {
  readonly cfg: SwimConfig;
  readonly #clock: Clock;
  readonly #transport: Transport;
  readonly #random: Random;
  readonly #hooks: SwimHooks;
  readonly #members = new Map<string, Member>();
  /** The same members as an array (for random picks without copying), and how many are alive or suspect. */
  #list: Member[] = [];
  #live = 1;
  readonly #self: Member;
  readonly #broadcasts: BroadcastQueue;
  readonly #awareness: Awareness;
  readonly #pending = new PendingAcks<Pending>();
  readonly #timers: TimerGroup;
  readonly #configured = new Map<string, Address>();
  /** Members that pinged us without being known here (a lost alive broadcast): dialled by the next heal. */
  readonly #heardUnknown = new Map<string, Address>();
  /** Names of the live (alive or suspect) members, this one included, sorted; undefined after a change. */
  #ring: string[] | undefined;
  #seq = 0;
  #urgent: Timer | undefined;
  #urgentAt = 0;
  #running = false;
  #leaving = false;

  constructor(cfg: SwimConfig, deps: { clock: Clock; transport: Transport; random: Random; hooks: SwimHooks }) {
    this.cfg = cfg;
    this.#clock = deps.clock;
    this.#timers = new TimerGroup(deps.clock);
    this.#transport = deps.transport;
    this.#random = deps.random;
    this.#hooks = deps.hooks;
    this.#broadcasts = new BroadcastQueue(cfg.protocolVersion);
    this.#awareness = new Awareness(cfg.awarenessMax);
    this.#self = {
      name: cfg.name,
      addr: cfg.addr,
      incarnation: 0,
      state: 'alive',
      meta: cfg.meta,
      protocolMin: PROTOCOL_MIN,
      protocolMax: PROTOCOL_MAX,
      stateChangedAt: this.#clock.now(),
    };
    this.#members.set(cfg.name, this.#self);
    this.#list.push(this.#self);
  }

  // ---- lifecycle ----

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#transport.setHandlers({
      onPacket: (data, from) => this.handlePacket(data, from),
      onStream: (data, from) => this.handleStream(data, from),
    });
    this.#queue(this.#self.name, this.#aliveOf(this.#self));
    this.#every(
      () => this.cfg.probeIntervalMs * this.#random(),
      () => this.#awareness.scale(this.cfg.probeIntervalMs),
      () => this.#probeTick(),
    );
    this.#every(
      () => this.#pushPullInterval() * this.#random(),
      () => this.#pushPullInterval(),
      () => this.#periodicPushPull(),
    );
    this.#every(
      () => this.cfg.healIntervalMs * this.#random(),
      () => this.cfg.healIntervalMs * (0.8 + 0.4 * this.#random()),
      () => this.#heal(),
    );
  }

  /** Stops every timer; the transport's handlers stay but do nothing. Pending callbacks are forgotten. */
  stop(): void {
    this.#running = false;
    this.#timers.cancelAll();
    this.#urgent?.cancel();
    this.#pending.clear();
    for (const m of this.#members.values()) m.suspicion?.cancel();
  }

  /** Contacts `addrs` by push-pull now; they stay configured and are re-dialled while missing. */
  join(addrs: Address[], done?: (answered: number) => void): void {
    let left = addrs.length;
    let answered = 0;
    if (left === 0) done?.(0);
    for (const a of addrs) {
      this.#configured.set(addressKey(a), a);
      this.#pushPull(a, true, (ok) => {
        if (ok) answered++;
        if (--left === 0) done?.(answered);
      });
    }
  }

  /** Graceful leave: tells every member directly (repeated) and by gossip; calls `done` when sent. */
  leave(done: () => void): void {
    if (this.#leaving || !this.#running) {
      done();
      return;
    }
    this.#leaving = true;
    const msg: Dead = {
      type: 'dead',
      incarnation: this.#self.incarnation,
      node: this.#self.name,
      from: this.#self.name,
      left: true,
    };
    this.#self.state = 'left';
    this.#live--;
    this.#queue(this.#self.name, msg, 0);
    this.#fanout(msg, this.cfg.leaveFanoutRepeats, done);
  }

  /** Changes this member's meta and tells everyone (a higher incarnation). */
  updateMeta(meta: Uint8Array): void {
    this.#self.meta = meta;
    this.#self.incarnation++;
    this.#broadcastUrgent(this.#self.name, this.#aliveOf(this.#self));
  }

  members(): MemberView[] {
    return [...this.#members.values()].map(view);
  }

  get localHealth(): number {
    return this.#awareness.score;
  }

  get incarnation(): number {
    return this.#self.incarnation;
  }

  get pendingBroadcasts(): number {
    return this.#broadcasts.size;
  }

  // ---- timers ----

  #every(first: () => number, next: () => number, fn: () => void): void {
    const arm = (ms: number): void => {
      this.#timers.set(ms, () => {
        if (!this.#running) return;
        fn();
        if (this.#running) arm(next());
      });
    };
    arm(first());
  }

  #after(ms: number, fn: () => void): Timer {
    return this.#timers.set(ms, () => {
      if (this.#running) fn();
    });
  }

  /**
   * A deadline: `fn` runs `ms` from now, but one more timer turn later, so that packets which arrived
   * while this process was not running (a busy machine, a GC pause) are read before a timeout is
   * concluded — a real event loop runs due timers before it polls the sockets.
   */
  #deadline(ms: number, fn: () => void): Timer {
    let inner: Timer | undefined;
    const t = this.#timers.set(ms, () => {
      if (!this.#running) return;
      inner = this.#after(0, fn);
    });
    return {
      cancel: () => {
        t.cancel();
        inner?.cancel();
      },
    };
  }

  // ---- sending ----

  #liveCount(): number {
    return this.#live;
  }

  #encode(m: Message): Uint8Array {
    return ferroWireFormat.encode({ version: this.cfg.protocolVersion, message: m });
  }

  /** Sends `msg` with as many queued broadcasts as fit in one datagram. */
  #send(to: Address, msg: SimpleMessage | undefined): void {
    const base = msg ? partLength(msg, this.cfg.protocolVersion) : 0;
    const budget = this.cfg.maxPacketBytes - 1 - COMPOUND_OVERHEAD - base;
    const extra = this.#broadcasts.take(budget, retransmitLimit(this.cfg.retransmitMult, this.#liveCount()));
    const parts = msg ? [msg, ...extra] : extra;
    if (parts.length === 0) return;
    const data = this.#encode(parts.length === 1 ? (parts[0] as SimpleMessage) : { type: 'compound', parts });
    this.#hooks.onSent?.('packet', data.length);
    this.#transport.sendPacket(to, data);
  }

  #sendOnly(to: Address, msg: SimpleMessage): void {
    const data = this.#encode(msg);
    this.#hooks.onSent?.('packet', data.length);
    this.#transport.sendPacket(to, data);
  }

  /** Sends `msg` straight to every live member `repeats` times, one gossip interval apart. */
  #fanout(msg: SimpleMessage, repeats: number, done?: () => void): void {
    const round = (i: number): void => {
      for (const m of this.#members.values()) {
        if (m === this.#self || (m.state !== 'alive' && m.state !== 'suspect')) continue;
        this.#sendOnly(m.addr, msg);
      }
      if (i + 1 < repeats && this.#running) this.#after(this.cfg.gossipIntervalMs, () => round(i + 1));
      else done?.();
    };
    if (repeats <= 0) done?.();
    else round(0);
  }

  #broadcastUrgent(key: string, msg: SimpleMessage): void {
    this.#queue(key, msg, 0);
  }

  /**
   * Queues a broadcast and makes sure a gossip round comes within `delayMs`. Gossip rounds run every
   * gossipIntervalMs only while something is queued: an idle member wakes up for probes alone.
   */
  #queue(key: string, msg: SimpleMessage, delayMs = this.cfg.gossipIntervalMs): void {
    this.#broadcasts.add(key, msg);
    if (!this.#running) return;
    if (this.#urgent && (delayMs > 0 || this.#urgentAt <= this.#clock.now())) return;
    this.#urgent?.cancel();
    this.#urgentAt = this.#clock.now() + delayMs;
    this.#urgent = this.#clock.setTimer(delayMs, () => {
      this.#urgent = undefined;
      if (!this.#running) return;
      this.#gossip();
      if (this.#broadcasts.size > 0) this.#armGossip();
    });
  }

  #armGossip(): void {
    if (this.#urgent || !this.#running) return;
    this.#urgentAt = this.#clock.now() + this.cfg.gossipIntervalMs;
    this.#urgent = this.#clock.setTimer(this.cfg.gossipIntervalMs, () => {
      this.#urgent = undefined;
      if (!this.#running) return;
      this.#gossip();
      if (this.#broadcasts.size > 0) this.#armGossip();
    });
  }

  #gossip(): void {
    if (this.#broadcasts.size === 0) return;
    const now = this.#clock.now();
    const ok = (m: Member): boolean =>
      m !== this.#self &&
      (m.state === 'alive' ||
        m.state === 'suspect' ||
        (m.state === 'dead' && now - m.stateChangedAt < this.cfg.gossipToDeadMs));
    for (const m of pickRandom(this.#list, this.cfg.gossipNodes, this.#random, ok)) {
      if (this.#broadcasts.size === 0) break;
      this.#send(m.addr, undefined);
    }
  }

  // ---- probing ----

  #nextSeq(): number {
    this.#seq = (this.#seq + 1) >>> 0;
    return this.#seq;
  }

  /**
   * Picks this period's target on a ring shared by every member: the live members sorted by name, and in
   * probe slot s (wall-clock time / probe interval) member i probes member i + 1 + (s mod (n−1)). With
   * the same view everywhere every member is probed exactly once per slot, by a different member each
   * slot, so a dead member is first probed within one period — SWIM's shuffled round-robin leaves that to
   * chance (the last of N−1 independent probers: ~4.6 periods at p99 for large N). Views that differ
   * (during a join or a death) only probe some member twice or not at all in a slot.
   */
  #probeTick(): void {
    if (this.#leaving) return;
    if (!this.#ring) {
      this.#ring = this.#list
        .filter((m) => m === this.#self || m.state === 'alive' || m.state === 'suspect')
        .map((m) => m.name)
        .sort();
    }
    const ring = this.#ring;
    if (ring.length < 2) return;
    const me = ring.indexOf(this.#self.name);
    const slot = Math.floor(this.#clock.wallNow() / this.cfg.probeIntervalMs);
    const m = this.#members.get(ring[(me + 1 + (slot % (ring.length - 1))) % ring.length] as string);
    if (m && m !== this.#self && (m.state === 'alive' || m.state === 'suspect')) this.#probe(m);
  }

  #pingOf(m: Member, seq: number): Ping {
    return { type: 'ping', seq, target: m.name, source: this.#self.name, sourceAddr: this.#self.addr };
  }

  /** `scale` > 1: a more patient probe (the check of a member someone else suspects). */
  #probe(m: Member, scale = 1): void {
    const seq = this.#nextSeq();
    const timeout = this.#awareness.scale(this.cfg.probeTimeoutMs) * scale;
    const interval = this.#awareness.scale(this.cfg.probeIntervalMs) * scale;
    let done = false;
    let nacks = 0;
    let expectedNacks = 0;
    let indirect = false;
    const started = this.#clock.now();
    // One deadline armed at a time (the indirect phase's, then the probe's end): an acked probe costs one
    // timer, not two.
    let timer: Timer | undefined;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      this.#pending.delete(seq);
      timer?.cancel();
      if (ok) {
        this.#awareness.apply(-1);
        this.#hooks.onProbe?.(indirect ? 'indirect-ack' : 'ack', m.name);
        return;
      }
      // Lifeguard, applied to ourselves: if this probe's own deadline came much later than set, this
      // process was not running (overloaded, paused); our silence is no evidence against the target.
      const lag = this.#clock.now() - started - interval;
      if (lag > Math.max(this.cfg.probeTimeoutMs, 50)) {
        this.#awareness.apply(1);
        this.#hooks.onProbe?.('stalled', m.name);
        return;
      }
      this.#awareness.apply(expectedNacks > 0 ? Math.max(0, expectedNacks - nacks) : 1);
      this.#hooks.onProbe?.('failed', m.name);
      const cur = this.#members.get(m.name);
      if (cur && cur.state !== 'dead' && cur.state !== 'left' && !this.#leaving) {
        this.suspectNode({ type: 'suspect', incarnation: cur.incarnation, node: cur.name, from: this.#self.name });
      }
    };
    this.#pending.set(seq, { ack: () => finish(true), nack: () => nacks++ });
    this.#send(m.addr, this.#pingOf(m, seq));
    timer = this.#deadline(timeout, () => {
      if (done) return;
      timer = this.#deadline(Math.max(0, interval - (this.#clock.now() - started)), () => finish(false));
      indirect = true;
      // A second direct ping: loss rarely takes both.
      this.#sendOnly(m.addr, this.#pingOf(m, seq));
      const relays = pickRandom(
        this.#list,
        this.cfg.indirectChecks,
        this.#random,
        (r) => r !== this.#self && r !== m && r.state === 'alive',
      );
      expectedNacks = relays.length;
      const req: IndirectPing = {
        type: 'indirect-ping',
        seq,
        target: m.name,
        targetAddr: m.addr,
        source: this.#self.name,
        sourceAddr: this.#self.addr,
        nack: true,
      };
      for (const r of relays) this.#send(r.addr, req);
      if (this.cfg.tcpFallback) {
        const data = this.#encode(this.#pingOf(m, seq));
        this.#hooks.onSent?.('stream', data.length);
        this.#transport.exchange(m.addr, data, Math.max(1, interval - timeout), (err, reply) => {
          if (err || !reply || done) return;
          const msg = this.#decode(reply, m.addr);
          if (msg?.type === 'ack' && msg.seq === seq) finish(true);
        });
      }
    });
  }

  // ---- receiving ----

  #decode(data: Uint8Array, from: Address): Message | undefined {
    try {
      return ferroWireFormat.decode(data).message;
    } catch (e) {
      this.#hooks.onIgnored?.(e instanceof DecodeError ? `decode-${e.code}` : 'decode-error', from);
      return undefined;
    }
  }

  /** One datagram. Returns why it was ignored entirely, if it was. */
  handlePacket(data: Uint8Array, from: Address): string | undefined {
    if (!this.#running) return 'stopped';
    const msg = this.#decode(data, from);
    if (!msg) return 'malformed';
    if (msg.type === 'compound') {
      for (const p of msg.parts) this.#handleMessage(p, from);
      return undefined;
    }
    return this.#handleMessage(msg, from);
  }

  #handleMessage(msg: SimpleMessage, from: Address): string | undefined {
    let reason: string | undefined;
    switch (msg.type) {
      case 'ping':
        if (msg.target !== '' && msg.target !== this.#self.name) reason = 'ping-wrong-target';
        else if (this.#leaving) reason = 'leaving';
        else {
          this.#send(from, { type: 'ack', seq: msg.seq });
          if (msg.source !== '' && !this.#members.has(msg.source) && this.#heardUnknown.size < 64)
            this.#heardUnknown.set(addressKey(msg.sourceAddr), msg.sourceAddr);
        }
        break;
      case 'indirect-ping':
        reason = this.#relay(msg);
        break;
      case 'ack': {
        const p = this.#pending.get(msg.seq);
        if (p) p.ack();
        else reason = 'unknown-ack';
        break;
      }
      case 'nack': {
        const p = this.#pending.get(msg.seq);
        if (p) p.nack();
        else reason = 'unknown-nack';
        break;
      }
      case 'alive':
        reason = this.aliveNode(msg);
        break;
      case 'suspect':
        reason = this.suspectNode(msg);
        break;
      case 'dead':
        reason = this.deadNode(msg);
        break;
      case 'push-pull':
        reason = 'push-pull-over-datagram';
        break;
    }
    if (reason) this.#hooks.onIgnored?.(reason, from);
    return reason;
  }

  #relay(req: IndirectPing): string | undefined {
    if (this.#leaving) return 'leaving';
    const seq = this.#nextSeq();
    let done = false;
    const cleanup = this.#after(this.cfg.probeIntervalMs, () => this.#pending.delete(seq));
    this.#pending.set(seq, {
      ack: () => {
        if (done) return;
        done = true;
        this.#pending.delete(seq);
        cleanup.cancel();
        this.#send(req.sourceAddr, { type: 'ack', seq: req.seq });
      },
      nack: () => {},
    });
    this.#send(req.targetAddr, {
      type: 'ping',
      seq,
      target: req.target,
      source: this.#self.name,
      sourceAddr: this.#self.addr,
    });
    if (req.nack) {
      this.#deadline(this.cfg.probeTimeoutMs, () => {
        if (!done) this.#sendOnly(req.sourceAddr, { type: 'nack', seq: req.seq });
      });
    }
    return undefined;
  }

  /** One stream request: a ping (TCP fallback) or a push-pull. Returns the reply. */
  handleStream(data: Uint8Array, from: Address): Uint8Array | undefined {
    if (!this.#running) return undefined;
    const msg = this.#decode(data, from);
    if (!msg) return undefined;
    if (msg.type === 'ping') {
      if (this.#leaving || (msg.target !== '' && msg.target !== this.#self.name)) {
        this.#hooks.onIgnored?.(this.#leaving ? 'leaving' : 'ping-wrong-target', from);
        return undefined;
      }
      return this.#encode({ type: 'ack', seq: msg.seq });
    }
    if (msg.type === 'push-pull') {
      const reply = this.#encode(this.#localState(false));
      this.#merge(msg);
      return reply;
    }
    this.#hooks.onIgnored?.('unexpected-stream-message', from);
    return undefined;
  }

  // ---- state rules ----

  #aliveOf(m: Member): Alive {
    return {
      type: 'alive',
      incarnation: m.incarnation,
      node: m.name,
      addr: m.addr,
      meta: m.meta,
      protocolMin: m.protocolMin,
      protocolMax: m.protocolMax,
    };
  }

  #emit(kind: MemberEvent['kind'], m: Member): void {
    this.#hooks.onEvent({ kind, member: view(m) });
  }

  /**
   * Refutes an accusation: a higher incarnation, broadcast at once, and sent straight to the accuser
   * (`from`, when known) so it cancels its suspicion without waiting for gossip. Not to every member: on a
   * starved machine at N=50 refutations are frequent, and an O(N) fanout each time fed the overload.
   */
  #refute(accusedIncarnation: number, from?: string): void {
    if (this.#leaving) return;
    this.#self.incarnation = Math.max(this.#self.incarnation, accusedIncarnation) + 1;
    this.#awareness.apply(1);
    const alive = this.#aliveOf(this.#self);
    this.#broadcastUrgent(this.#self.name, alive);
    const accuser = from === undefined || from === this.#self.name ? undefined : this.#members.get(from);
    if (accuser && (accuser.state === 'alive' || accuser.state === 'suspect')) {
      for (let i = 0; i < this.cfg.leaveFanoutRepeats; i++) this.#sendOnly(accuser.addr, alive);
    }
  }

  /**
   * Returns why the message changed nothing, or undefined when it was applied. `quiet`: learned by
   * push-pull (anti-entropy), not re-gossiped — the member's own alive broadcast spreads it.
   */
  aliveNode(a: Alive, quiet = false): string | undefined {
    if (a.node === this.#self.name) {
      if (
        a.incarnation > this.#self.incarnation ||
        (a.incarnation === this.#self.incarnation &&
          (!sameAddress(a.addr, this.#self.addr) || !sameBytes(a.meta, this.#self.meta)))
      ) {
        this.#refute(a.incarnation);
        return undefined;
      }
      return 'about-self';
    }
    const m = this.#members.get(a.node);
    if (!m) {
      const fresh: Member = {
        name: a.node,
        addr: a.addr,
        incarnation: a.incarnation,
        state: 'alive',
        meta: a.meta,
        protocolMin: a.protocolMin,
        protocolMax: a.protocolMax,
        stateChangedAt: this.#clock.now(),
      };
      this.#members.set(a.node, fresh);
      this.#list.push(fresh);
      this.#live++;
      this.#ring = undefined;
      if (!quiet) this.#queue(a.node, a);
      this.#emit('join', fresh);
      return undefined;
    }
    if (a.incarnation <= m.incarnation) return 'stale-alive';
    const prev = m.state;
    const changed = !sameAddress(a.addr, m.addr) || !sameBytes(a.meta, m.meta);
    m.suspicion?.cancel();
    m.suspicion = undefined;
    m.incarnation = a.incarnation;
    m.addr = a.addr;
    m.meta = a.meta;
    m.protocolMin = a.protocolMin;
    m.protocolMax = a.protocolMax;
    m.state = 'alive';
    if (prev !== 'alive') m.stateChangedAt = this.#clock.now();
    if (prev === 'dead' || prev === 'left') {
      this.#live++;
      this.#ring = undefined;
    }
    if (!quiet) this.#queue(a.node, a);
    if (prev === 'dead' || prev === 'left') this.#emit('join', m);
    else if (prev === 'suspect' || changed) this.#emit('update', m);
    return undefined;
  }

  suspectNode(s: Suspect): string | undefined {
    const m = this.#members.get(s.node);
    if (!m) return 'unknown-member';
    if (s.incarnation < m.incarnation) return 'stale-suspect';
    if (m.suspicion) {
      if (m.suspicion.confirm(s.from)) {
        this.#queue(s.node, s);
        return undefined;
      }
      return 'known-suspicion';
    }
    if (m.state !== 'alive') return 'not-alive';
    if (m === this.#self) {
      this.#refute(s.incarnation, s.from);
      return undefined;
    }
    const n = this.#liveCount();
    const k = n - 2 < this.cfg.expectedConfirmations ? 0 : this.cfg.expectedConfirmations;
    const min =
      this.cfg.suspicionMinMs * (1 + this.cfg.suspicionLogScale * Math.max(0, Math.log10(Math.max(1, n)) - 1));
    m.state = 'suspect';
    m.incarnation = s.incarnation;
    m.stateChangedAt = this.#clock.now();
    const inc = s.incarnation;
    const suspicion = new Suspicion(this.#clock, s.from, k, min, min * this.cfg.suspicionMaxMult, () => {
      // One more timer turn, so a refutation already waiting in the socket is read first.
      this.#after(0, () => {
        if (m.suspicion === suspicion)
          this.deadNode({ type: 'dead', incarnation: inc, node: m.name, from: this.#self.name, left: false });
      });
    });
    m.suspicion = suspicion;
    this.#broadcastUrgent(s.node, s);
    if (s.from === this.#self.name) {
      // Tell the suspect itself at once so it refutes without waiting for gossip.
      const tell = (i: number): void => {
        if (m.state !== 'suspect' || m.incarnation !== inc) return;
        this.#sendOnly(m.addr, s);
        if (i + 1 < this.cfg.suspectNotifyRepeats) this.#after(this.cfg.probeTimeoutMs, () => tell(i + 1));
      };
      tell(0);
    } else if (!this.#leaving && this.#random() * Math.max(1, n - 2) < this.cfg.expectedConfirmations + 1) {
      // Lifeguard confirmations come from independent probes: about K+1 members (not all N) check the
      // suspect themselves now, with twice the usual patience (a busy suspect is not confirmed dead by a
      // hurried check, and a suspicion costs O(K) probes, not O(N), on a cluster that is already busy).
      this.#probe(m, 2);
    }
    this.#emit('update', m);
    return undefined;
  }

  deadNode(d: Dead): string | undefined {
    const m = this.#members.get(d.node);
    if (!m) return 'unknown-member';
    if (d.incarnation < m.incarnation) return 'stale-dead';
    if (m.state === 'dead' || m.state === 'left') return 'already-dead';
    if (m === this.#self) {
      if (this.#leaving) return 'about-self';
      this.#refute(d.incarnation, d.from);
      return undefined;
    }
    m.suspicion?.cancel();
    m.suspicion = undefined;
    m.state = d.left ? 'left' : 'dead';
    this.#live--;
    this.#ring = undefined;
    m.incarnation = d.incarnation;
    m.stateChangedAt = this.#clock.now();
    this.#broadcastUrgent(d.node, d);
    this.#emit('leave', m);
    return undefined;
  }

  // ---- push-pull and healing ----

  #localState(join: boolean): PushPull {
    const members: PushPullMember[] = [this.#self, ...this.#list.filter((m) => m !== this.#self)].map((m) => ({
      name: m.name,
      addr: m.addr,
      incarnation: m.incarnation,
      state: m.state,
      meta: m.meta,
      protocolMin: m.protocolMin,
      protocolMax: m.protocolMax,
    }));
    return { type: 'push-pull', join, members };
  }

  #merge(pp: PushPull): void {
    const sender = pp.members[0]?.name ?? '';
    for (const r of pp.members) {
      switch (r.state) {
        case 'alive':
          this.aliveNode(
            {
              type: 'alive',
              incarnation: r.incarnation,
              node: r.name,
              addr: r.addr,
              meta: r.meta,
              protocolMin: r.protocolMin,
              protocolMax: r.protocolMax,
            },
            true,
          );
          break;
        case 'left':
          this.deadNode({ type: 'dead', incarnation: r.incarnation, node: r.name, from: r.name, left: true });
          break;
        case 'dead':
        case 'suspect':
          // memberlist's rule: a peer's dead is only a suspicion here, so a live member can refute it.
          this.suspectNode({ type: 'suspect', incarnation: r.incarnation, node: r.name, from: sender });
          break;
      }
    }
  }

  #pushPull(to: Address, join: boolean, done?: (ok: boolean) => void): void {
    const data = this.#encode(this.#localState(join));
    this.#hooks.onSent?.('stream', data.length);
    this.#transport.exchange(to, data, this.cfg.streamTimeoutMs, (err, reply) => {
      if (err || !reply || !this.#running) {
        done?.(false);
        return;
      }
      const msg = this.#decode(reply, to);
      if (msg?.type !== 'push-pull') {
        if (msg) this.#hooks.onIgnored?.('unexpected-stream-reply', to);
        done?.(false);
        return;
      }
      this.#merge(msg);
      done?.(true);
    });
  }

  #pushPullInterval(): number {
    const n = this.#liveCount();
    const scale = n <= 32 ? 1 : Math.ceil(Math.log2(n) - Math.log2(32)) + 1;
    return this.cfg.pushPullIntervalMs * scale;
  }

  #periodicPushPull(): void {
    if (this.#leaving) return;
    const [m] = pickRandom(this.#list, 1, this.#random, (x) => x !== this.#self && x.state === 'alive');
    if (m) this.#pushPull(m.addr, false);
  }

  #heal(): void {
    const now = this.#clock.now();
    const reap = (m: Member): boolean =>
      (m.state === 'dead' || m.state === 'left') && m !== this.#self && now - m.stateChangedAt > this.cfg.deadReapMs;
    if (this.#list.some(reap)) {
      for (const m of this.#list.filter(reap)) this.#members.delete(m.name);
      this.#list = this.#list.filter((m) => !reap(m));
    }
    if (this.#leaving) return;
    const live = new Set<string>();
    for (const m of this.#members.values())
      if (m.state === 'alive' || m.state === 'suspect') live.add(addressKey(m.addr));
    const targets = new Map<string, Address>();
    for (const [k, a] of this.#configured) if (!live.has(k)) targets.set(k, a);
    for (const m of this.#members.values())
      if (m.state === 'dead' && !live.has(addressKey(m.addr))) targets.set(addressKey(m.addr), m.addr);
    for (const a of pickRandom([...targets.values()], this.cfg.healDialsPerRound, this.#random))
      this.#pushPull(a, true);
    // Someone pinged us that we do not know (members that joined at the same moment can miss each other's
    // alive broadcast): one push-pull with it, beyond the dials above, merges both views.
    for (const [k, a] of this.#heardUnknown) if (!live.has(k)) this.#pushPull(a, true);
    this.#heardUnknown.clear();
  }
}
