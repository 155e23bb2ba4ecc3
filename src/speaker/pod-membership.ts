// Membership without gossip: a node is alive while its speaker Pod is Ready, as the API server reports
// it (MetalLB's behaviour with memberlist disabled). Failover then takes as long as the kubelet and the
// node controller take to mark the Pod not Ready (tens of seconds); gossip (src/memberlist) is the
// fast path. Used when --membership pods is given, and by tests of everything else.
import type { Clock } from '../time/index.ts';
import { nodesWithReadySpeaker, type PodLike } from './pods.ts';
import type { Keyring, MembershipChange, MembershipPort } from './ports.ts';

export class PodMembership implements MembershipPort {
  readonly #myNode: string;
  readonly #clock: Clock;
  readonly #pods: () => readonly PodLike[];
  #alive: Set<string>;
  #fns: ((c: MembershipChange) => void)[] = [];
  #left = false;

  constructor(myNode: string, clock: Clock, pods: () => readonly PodLike[]) {
    this.#myNode = myNode;
    this.#clock = clock;
    this.#pods = pods;
    this.#alive = new Set([myNode]);
  }

  async start(): Promise<void> {
    this.refresh();
  }

  /** The speaker Pods changed: report nodes that came and went. */
  refresh(): void {
    if (this.#left) return;
    const next = nodesWithReadySpeaker(this.#pods(), this.#myNode);
    const at = this.#clock.now();
    const changes: MembershipChange[] = [];
    for (const n of next) if (!this.#alive.has(n)) changes.push({ kind: 'join', node: n, at });
    for (const n of this.#alive) if (!next.has(n)) changes.push({ kind: 'fail', node: n, at });
    this.#alive = next;
    for (const c of changes) for (const f of this.#fns) f(c);
  }

  async join(): Promise<number> {
    return this.#alive.size - 1;
  }

  async leave(): Promise<void> {
    this.#left = true;
  }

  alive(): ReadonlySet<string> {
    return this.#alive;
  }

  onChange(fn: (c: MembershipChange) => void): void {
    this.#fns.push(fn);
  }

  setKeyring(_keyring: Keyring): void {
    // No gossip, no key.
  }

  async stop(): Promise<void> {}
}
