// Membership port over the gossip component (src/memberlist `Memberlist`): alive = members not dead and
// not left (memberlist's Members(), as MetalLB uses them), events carry when they were noticed (turned
// from wall time into the speaker clock's monotonic time, for the failover histogram), the keyring is
// the rotation's. Typed structurally so the speaker does not depend on the component's internals.
import type { Clock } from '../time/index.ts';
import type { Keyring, MembershipChange, MembershipChangeKind, MembershipPort } from './ports.ts';

export interface GossipMember {
  name: string;
  state: 'alive' | 'suspect' | 'dead' | 'left';
}

/** The part of src/memberlist's Memberlist this adapter uses. */
export interface GossipComponent {
  start(bindAddr: string, port: number): Promise<number>;
  subscribe(fn: (e: { kind: 'join' | 'leave' | 'update'; member: GossipMember; at: number }) => void): () => void;
  join(peers: string[]): Promise<number>;
  leave(timeoutMs: number): Promise<void>;
  shutdown(): Promise<void>;
  members(): GossipMember[];
  setKeyring(keys: Uint8Array[]): void;
}

export class MemberlistAdapter implements MembershipPort {
  readonly #ml: GossipComponent;
  readonly #clock: Clock;
  readonly #myNode: string;
  readonly #bind: { addr: string; port: number };
  #fns: ((c: MembershipChange) => void)[] = [];
  #started = false;

  constructor(ml: GossipComponent, clock: Clock, myNode: string, bind: { addr: string; port: number }) {
    this.#ml = ml;
    this.#clock = clock;
    this.#myNode = myNode;
    this.#bind = bind;
    ml.subscribe((e) => {
      // Noticed `wallNow - at` ms ago: the same instant on the monotonic clock.
      const at = this.#clock.now() - Math.max(0, this.#clock.wallNow() - e.at);
      const kind: MembershipChangeKind = e.kind === 'leave' ? (e.member.state === 'left' ? 'leave' : 'fail') : e.kind;
      for (const f of this.#fns) f({ kind, node: e.member.name, at });
    });
  }

  async start(): Promise<void> {
    await this.#ml.start(this.#bind.addr, this.#bind.port);
    this.#started = true;
  }

  join(addresses: readonly string[]): Promise<number> {
    return addresses.length === 0 ? Promise.resolve(0) : this.#ml.join([...addresses]);
  }

  leave(timeoutMs: number): Promise<void> {
    return this.#started ? this.#ml.leave(timeoutMs) : Promise.resolve();
  }

  alive(): ReadonlySet<string> {
    const out = new Set<string>([this.#myNode]);
    for (const m of this.#ml.members()) if (m.state === 'alive' || m.state === 'suspect') out.add(m.name);
    return out;
  }

  onChange(fn: (c: MembershipChange) => void): void {
    this.#fns.push(fn);
  }

  setKeyring(keyring: Keyring): void {
    this.#ml.setKeyring([keyring.primary, ...keyring.secondary]);
  }

  async stop(): Promise<void> {
    await this.#ml.shutdown();
  }
}
