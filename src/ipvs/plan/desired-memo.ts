// The desired state built incrementally (pure). Each Service's fragment (its virtual servers, real servers,
// address and set members) is kept from one build to the next and computed again only when the Service
// object or one of its EndpointSlice objects is a different object than last time. Inputs are taken as
// immutable: an informer hands over a new object for every change, and KubeInputCache keeps converted
// objects stable between changes; a caller that edits an object in place must pass a copy instead.
//
// Two paths:
//  - the quick one, for the common change (the same Services and EndpointSlices arrays in length, some
//    elements replaced by objects of the same Service): finds the replaced elements by identity, rebuilds
//    those Services' fragments and patches the last state in place; it returns `dirty` (the virtual
//    servers, set members and addresses that may differ) so the diff can look at those alone. No work
//    grows with the number of unchanged Services except one identity comparison per array element;
//  - the full one otherwise (Services added or removed, a clash between Services involved, a different
//    node context, the first build): fragments are still reused by identity, the state is assembled anew
//    (so clashes settle exactly as in buildDesired), and `dirty` is undefined (diff everything).
import {
  assembleDesired,
  serviceFragment,
  slicesByService,
  sortServices,
  type DesiredItem,
  type DesiredState,
  type ServiceFragment,
} from './desired.ts';
import type { SetMember } from './diff.ts';
import type { DesiredInput, EndpointSliceInput, NodeContext, ServiceInput } from './types.ts';

interface Memo {
  svc: ServiceInput;
  slices: EndpointSliceInput[];
  fragment: ServiceFragment;
}

/** What a quick build may have changed: only these need diffing against the kernel model. */
export interface DesiredDirty {
  vsKeys: Set<string>;
  addresses: Set<string>;
  members: SetMember[];
}

export interface BuildStats {
  /** Services whose fragment was computed again in the last build. */
  rebuilt: number;
  /** Services whose fragment was reused. */
  reused: number;
  /** Whether the last build patched the previous state (true) or assembled it anew. */
  quick: boolean;
}

function sameSlices(a: readonly EndpointSliceInput[], b: readonly EndpointSliceInput[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameNode(a: NodeContext, b: NodeContext): boolean {
  return (
    a.nodeName === b.nodeName &&
    a.defaultScheduler === b.defaultScheduler &&
    a.nodeIPs.length === b.nodeIPs.length &&
    a.nodeIPs.every((ip, i) => ip === b.nodeIPs[i])
  );
}

const idOf = (s: { namespace: string; name: string }): string => `${s.namespace}/${s.name}`;
const sliceOwner = (s: EndpointSliceInput): string => `${s.namespace}/${s.serviceName}`;

/** A quick build changes at most this share of the Services; beyond it a full build is as cheap. */
const QUICK_MAX_SHARE = 0.25;

export class DesiredBuilder {
  #memo = new Map<string, Memo>();
  #node: NodeContext | undefined;
  #last: { services: readonly ServiceInput[]; slices: readonly EndpointSliceInput[]; out: DesiredState } | undefined;
  /** How many fragment items (winning or not) ask for each virtual server: 1 means no clash. */
  #claims = new Map<string, number>();
  /** How many winning items use each address (Services may share an IP on different ports). */
  #addrRefs = new Map<string, number>();
  #clashProblems: DesiredState['problems'] = [];
  stats: BuildStats = { rebuilt: 0, reused: 0, quick: false };

  build(input: DesiredInput, node: NodeContext): DesiredState & { dirty?: DesiredDirty } {
    if (!this.#node || !sameNode(this.#node, node)) {
      this.#memo.clear();
      this.#last = undefined;
      this.#node = { ...node, nodeIPs: [...node.nodeIPs] };
    }
    const quick = this.#quick(input, node);
    if (quick) return quick;
    return this.#full(input, node);
  }

  #full(input: DesiredInput, node: NodeContext): DesiredState {
    const slices = slicesByService(input);
    const sorted = sortServices(input.services);
    const next = new Map<string, Memo>();
    const fragments: ServiceFragment[] = [];
    let rebuilt = 0;
    for (const svc of sorted) {
      const id = idOf(svc);
      const mine = slices.get(id) ?? [];
      const prev = this.#memo.get(id);
      let memo: Memo;
      if (prev && prev.svc === svc && sameSlices(prev.slices, mine)) memo = prev;
      else {
        memo = { svc, slices: mine, fragment: serviceFragment(svc, mine, node) };
        rebuilt++;
      }
      next.set(id, memo);
      fragments.push(memo.fragment);
    }
    this.#memo = next;
    const out = assembleDesired(fragments);
    this.#claims.clear();
    this.#addrRefs.clear();
    for (const f of fragments) for (const it of f.items) this.#claims.set(it.key, (this.#claims.get(it.key) ?? 0) + 1);
    for (const key of out.owners.keys()) {
      const a = out.state.services.get(key)!.vs.address;
      this.#addrRefs.set(a, (this.#addrRefs.get(a) ?? 0) + 1);
    }
    const fragmentProblems = new Set(fragments.flatMap((f) => f.problems));
    this.#clashProblems = out.problems.filter((p) => !fragmentProblems.has(p));
    this.#last = { services: input.services, slices: input.endpointSlices, out };
    this.stats = { rebuilt, reused: sorted.length - rebuilt, quick: false };
    return out;
  }

  #quick(input: DesiredInput, node: NodeContext): (DesiredState & { dirty: DesiredDirty }) | undefined {
    const last = this.#last;
    if (!last || last.services.length !== input.services.length) return undefined;
    if (last.slices.length !== input.endpointSlices.length) return undefined;
    const limit = Math.max(1, Math.floor(input.services.length * QUICK_MAX_SHARE));
    // Which Services changed: a replaced Service object (same namespace/name), or a replaced slice of it.
    const changed = new Map<string, ServiceInput | undefined>();
    for (let i = 0; i < input.services.length; i++) {
      const a = last.services[i]!;
      const b = input.services[i]!;
      if (a === b) continue;
      if (idOf(a) !== idOf(b)) return undefined;
      changed.set(idOf(b), b);
      if (changed.size > limit) return undefined;
    }
    const replaced = new Map<EndpointSliceInput, EndpointSliceInput>();
    for (let i = 0; i < input.endpointSlices.length; i++) {
      const a = last.slices[i]!;
      const b = input.endpointSlices[i]!;
      if (a === b) continue;
      if (sliceOwner(a) !== sliceOwner(b)) return undefined;
      replaced.set(a, b);
      if (!changed.has(sliceOwner(b))) changed.set(sliceOwner(b), undefined);
      if (changed.size > limit) return undefined;
    }
    // Rebuild the changed fragments; bail out to a full build if a clash is involved either side.
    const redo: { id: string; old: Memo; memo: Memo }[] = [];
    for (const [id, svc] of changed) {
      const old = this.#memo.get(id);
      if (!old) {
        if (svc) return undefined; // a Service the last build did not know (it had a duplicate): full build
        continue; // slices of a Service that does not exist: they change nothing
      }
      const slices = old.slices.map((s) => replaced.get(s) ?? s);
      const fresh = svc ?? old.svc;
      const fragment = serviceFragment(fresh, slices, node);
      const keys = new Set<string>();
      for (const it of fragment.items) {
        if (keys.has(it.key)) return undefined;
        keys.add(it.key);
      }
      for (const it of old.fragment.items) if (this.#claims.get(it.key) !== 1) return undefined;
      const oldKeys = new Set(old.fragment.items.map((it) => it.key));
      for (const k of keys) if (!oldKeys.has(k) && (this.#claims.get(k) ?? 0) !== 0) return undefined;
      redo.push({ id, old, memo: { svc: fresh, slices, fragment } });
    }
    // Patch the state in place: out with the old items, in with the new.
    const out = last.out;
    const dirty: DesiredDirty = { vsKeys: new Set(), addresses: new Set(), members: [] };
    const remove = (it: DesiredItem): void => {
      this.#claims.delete(it.key);
      out.state.services.delete(it.key);
      out.owners.delete(it.key);
      for (const m of it.members) out.state.sets.get(m.set)!.entries.delete(m.entry);
      const a = it.address.address;
      const n = (this.#addrRefs.get(a) ?? 0) - 1;
      if (n <= 0) {
        this.#addrRefs.delete(a);
        out.state.addresses.delete(a);
      } else this.#addrRefs.set(a, n);
    };
    const add = (id: string, it: DesiredItem): void => {
      this.#claims.set(it.key, 1);
      out.state.services.set(it.key, it.service);
      out.owners.set(it.key, id);
      for (const m of it.members) out.state.sets.get(m.set)!.entries.add(m.entry);
      const a = it.address.address;
      this.#addrRefs.set(a, (this.#addrRefs.get(a) ?? 0) + 1);
      out.state.addresses.set(a, it.address);
    };
    const touch = (it: DesiredItem): void => {
      dirty.vsKeys.add(it.key);
      dirty.addresses.add(it.address.address);
      for (const m of it.members) dirty.members.push(m);
    };
    for (const { old } of redo) {
      for (const it of old.fragment.items) {
        touch(it);
        remove(it);
      }
    }
    for (const { id, memo } of redo) {
      for (const it of memo.fragment.items) {
        touch(it);
        add(id, it);
      }
      this.#memo.set(id, memo);
    }
    if (redo.some((r) => r.old.fragment.problems.length > 0 || r.memo.fragment.problems.length > 0)) {
      const problems = [...this.#memo.values()].flatMap((m) => m.fragment.problems);
      out.problems = [...problems, ...this.#clashProblems];
    }
    this.#last = { services: input.services, slices: input.endpointSlices, out };
    this.stats = { rebuilt: redo.length, reused: input.services.length - redo.length, quick: true };
    return { ...out, dirty };
  }
}
