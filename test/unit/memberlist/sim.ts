// A cluster of Swim engines on the in-memory network and one FakeClock, with every event recorded.
import { FakeClock } from '../../helpers/fake-clock.ts';
import { MemoryNetwork, seededRandom } from '../../helpers/memory-network.ts';
import type { Address } from '../../../src/memberlist/codec/index.ts';
import { Swim, resolveSwimConfig } from '../../../src/memberlist/core/index.ts';
import type { MemberEvent, SwimOptions } from '../../../src/memberlist/core/index.ts';

export interface SimEvent extends MemberEvent {
  at: number;
  observer: string;
}

export class Sim {
  readonly clock = new FakeClock();
  readonly random: () => number;
  readonly net: MemoryNetwork;
  readonly nodes: Swim[] = [];
  readonly events: SimEvent[] = [];

  constructor(seed = 1) {
    this.random = seededRandom(seed);
    this.net = new MemoryNetwork(this.clock, this.random);
  }

  static addr(i: number): Address {
    return { ip: `198.51.100.${(i % 250) + 1}`, port: 7946 + Math.floor(i / 250) };
  }

  add(opts: Partial<SwimOptions> = {}): Swim {
    const i = this.nodes.length;
    const addr = Sim.addr(i);
    const { transport, clock } = this.net.attach(addr);
    const swim = new Swim(resolveSwimConfig({ name: `n${i}`, addr, ...opts }), {
      clock,
      transport,
      random: this.random,
      hooks: { onEvent: (e) => this.events.push({ ...e, at: this.clock.now(), observer: `n${i}` }) },
    });
    this.nodes.push(swim);
    swim.start();
    return swim;
  }

  /** n members, each joining the first one. */
  cluster(n: number, opts: Partial<SwimOptions> = {}): this {
    for (let i = 0; i < n; i++) {
      const s = this.add(opts);
      if (i > 0) s.join([Sim.addr(0)]);
    }
    return this;
  }

  run(ms: number, step = 10): void {
    for (let t = 0; t < ms; t += step) this.clock.advance(Math.min(step, ms - t));
  }

  /** Runs until `pred` holds (checked every `step` ms) or `limitMs`; returns the time it took, or undefined. */
  until(pred: () => boolean, limitMs: number, step = 10): number | undefined {
    const start = this.clock.now();
    while (this.clock.now() - start <= limitMs) {
      if (pred()) return this.clock.now() - start;
      this.clock.advance(step);
    }
    return pred() ? this.clock.now() - start : undefined;
  }

  stateOf(observer: number, name: string): string | undefined {
    return this.nodes[observer]?.members().find((m) => m.name === name)?.state;
  }

  /** True when every listed observer sees `name` in `state`. */
  allSee(observers: number[], name: string, state: string): boolean {
    return observers.every((o) => this.stateOf(o, name) === state);
  }

  converged(live: number[]): boolean {
    return live.every((o) => live.every((t) => this.stateOf(o, `n${t}`) === 'alive'));
  }

  falseDeaths(live: Set<string>): SimEvent[] {
    return this.events.filter((e) => e.kind === 'leave' && live.has(e.member.name) && e.member.state === 'dead');
  }
}
