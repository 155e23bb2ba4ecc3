// An in-memory datagram + stream network on a FakeClock for membership tests: per-link loss, delay,
// one-way (asymmetric) blocks, partitions, and event-loop stalls of one member (its timers and its
// deliveries wait until the stall ends). Deterministic for a given random source.
import type { Clock, Timer } from '../../src/time/index.ts';
import type { Address } from '../../src/memberlist/codec/index.ts';
import type { Transport, TransportHandlers } from '../../src/memberlist/core/index.ts';
import { addressKey } from '../../src/memberlist/core/index.ts';
import type { FakeClock } from './fake-clock.ts';

/** mulberry32: a small seeded PRNG for reproducible simulations. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Endpoint {
  addr: Address;
  handlers?: TransportHandlers;
  stalledUntil: number;
  down: boolean;
}

export class MemoryNetwork {
  readonly clock: FakeClock;
  readonly #random: () => number;
  readonly #eps = new Map<string, Endpoint>();
  /** Probability a datagram is lost, for every link without its own. */
  loss = 0;
  /** One-way delay in ms (plus up to `jitterMs`). */
  delayMs = 0.5;
  jitterMs = 0.5;
  readonly #linkLoss = new Map<string, number>();
  readonly #blocked = new Set<string>();
  #groups: Map<string, number> | undefined;
  packets = 0;
  bytes = 0;
  dropped = 0;

  constructor(clock: FakeClock, random: () => number) {
    this.clock = clock;
    this.#random = random;
  }

  /** A transport for `addr`, and a Clock whose timers wait out this member's stalls. */
  attach(addr: Address): { transport: Transport; clock: Clock } {
    const key = addressKey(addr);
    const ep: Endpoint = { addr, stalledUntil: 0, down: false };
    this.#eps.set(key, ep);
    const transport: Transport = {
      setHandlers: (h) => {
        ep.handlers = h;
      },
      sendPacket: (to, data) => {
        if (ep.down) return;
        this.#datagram(ep, to, data);
      },
      exchange: (to, data, timeoutMs, done) => this.#exchange(ep, to, data, timeoutMs, done),
    };
    const clock: Clock = {
      now: () => this.clock.now(),
      wallNow: () => this.clock.wallNow(),
      setTimer: (ms, fn) => this.clock.setTimer(ms, () => this.#whenAwake(ep, fn)),
    };
    return { transport, clock };
  }

  #whenAwake(ep: Endpoint, fn: () => void): void {
    if (ep.down) return;
    const wait = ep.stalledUntil - this.clock.now();
    if (wait > 0) this.clock.setTimer(wait, () => this.#whenAwake(ep, fn));
    else fn();
  }

  #link(a: Address, b: Address): string {
    return `${addressKey(a)}>${addressKey(b)}`;
  }

  #passes(from: Address, to: Address, lossy: boolean): boolean {
    const link = this.#link(from, to);
    if (this.#blocked.has(link)) return false;
    if (this.#groups) {
      const ga = this.#groups.get(addressKey(from));
      const gb = this.#groups.get(addressKey(to));
      if (ga !== undefined && gb !== undefined && ga !== gb) return false;
    }
    if (!lossy) return true;
    const p = this.#linkLoss.get(link) ?? this.loss;
    return !(p > 0 && this.#random() < p);
  }

  #delay(): number {
    return this.delayMs + this.jitterMs * this.#random();
  }

  #datagram(src: Endpoint, to: Address, data: Uint8Array): void {
    this.packets++;
    this.bytes += data.length;
    if (!this.#passes(src.addr, to, true)) {
      this.dropped++;
      return;
    }
    const copy = data.slice();
    this.clock.setTimer(this.#delay(), () => {
      const dst = this.#eps.get(addressKey(to));
      if (!dst || dst.down) return;
      this.#whenAwake(dst, () => dst.handlers?.onPacket(copy, src.addr));
    });
  }

  #exchange(
    src: Endpoint,
    to: Address,
    data: Uint8Array,
    timeoutMs: number,
    done: (err: Error | undefined, reply?: Uint8Array) => void,
  ): void {
    let finished = false;
    const finish = (err: Error | undefined, reply?: Uint8Array): void => {
      if (finished) return;
      finished = true;
      timer.cancel();
      done(err, reply);
    };
    const timer: Timer = this.clock.setTimer(timeoutMs, () => finish(new Error('stream timeout')));
    this.bytes += data.length;
    if (!this.#passes(src.addr, to, false)) return;
    const copy = data.slice();
    this.clock.setTimer(this.#delay(), () => {
      const dst = this.#eps.get(addressKey(to));
      if (!dst || dst.down) {
        finish(new Error('connection refused'));
        return;
      }
      this.#whenAwake(dst, () => {
        const reply = dst.handlers?.onStream(copy, src.addr);
        if (!reply) {
          finish(new Error('no reply'));
          return;
        }
        this.bytes += reply.length;
        if (!this.#passes(to, src.addr, false)) return;
        this.clock.setTimer(this.#delay(), () => finish(undefined, reply));
      });
    });
  }

  /** Drop everything from `a` to `b` (one way). */
  block(a: Address, b: Address): void {
    this.#blocked.add(this.#link(a, b));
  }

  unblock(a: Address, b: Address): void {
    this.#blocked.delete(this.#link(a, b));
  }

  setLinkLoss(a: Address, b: Address, p: number): void {
    this.#linkLoss.set(this.#link(a, b), p);
  }

  /** Splits the network: members in different groups cannot reach each other. */
  partition(groups: Address[][]): void {
    this.#groups = new Map();
    groups.forEach((g, i) => g.forEach((a) => this.#groups?.set(addressKey(a), i)));
  }

  heal(): void {
    this.#groups = undefined;
  }

  /** The member's event loop is blocked for `ms`: its timers and incoming packets wait. */
  stall(addr: Address, ms: number): void {
    const ep = this.#eps.get(addressKey(addr));
    if (ep) ep.stalledUntil = this.clock.now() + ms;
  }

  /** kill -9: the member sends and receives nothing more. */
  kill(addr: Address): void {
    const ep = this.#eps.get(addressKey(addr));
    if (ep) ep.down = true;
  }
}
