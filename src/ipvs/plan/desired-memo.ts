// The desired state built incrementally (pure): each Service's fragment (its virtual servers, real servers,
// address and set members) is kept from one build to the next and computed again only when the Service
// object or one of its EndpointSlice objects is a different object than last time, or the node context
// changed. Inputs are taken as immutable — an informer hands over a new object for every change, and
// `KubeInputCache` (kube-input-cache.ts) keeps the converted objects stable between changes; a caller that
// edits an object in place must pass a copy instead. What is still done for every Service on every build
// is cheap: grouping slices, sorting, and assembling the fragments (so clashes settle as in buildDesired).
import {
  assembleDesired,
  serviceFragment,
  slicesByService,
  sortServices,
  type DesiredState,
  type ServiceFragment,
} from './desired.ts';
import type { DesiredInput, EndpointSliceInput, NodeContext, ServiceInput } from './types.ts';

interface Memo {
  svc: ServiceInput;
  slices: EndpointSliceInput[];
  fragment: ServiceFragment;
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

export interface BuildStats {
  /** Services whose fragment was computed again in the last build. */
  rebuilt: number;
  /** Services whose fragment was reused. */
  reused: number;
}

export class DesiredBuilder {
  #memo = new Map<string, Memo>();
  #node: NodeContext | undefined;
  #sorted: { from: readonly ServiceInput[]; sorted: ServiceInput[] } | undefined;
  stats: BuildStats = { rebuilt: 0, reused: 0 };

  build(input: DesiredInput, node: NodeContext): DesiredState {
    if (!this.#node || !sameNode(this.#node, node)) {
      this.#memo.clear();
      this.#node = { ...node, nodeIPs: [...node.nodeIPs] };
    }
    const slices = slicesByService(input);
    // The same Services array as last time (a caller that only changed EndpointSlices) keeps its order.
    const sorted = this.#sorted?.from === input.services ? this.#sorted.sorted : sortServices(input.services);
    this.#sorted = { from: input.services, sorted };
    const next = new Map<string, Memo>();
    const fragments: ServiceFragment[] = [];
    let rebuilt = 0;
    for (const svc of sorted) {
      const id = `${svc.namespace}/${svc.name}`;
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
    this.stats = { rebuilt, reused: sorted.length - rebuilt };
    return assembleDesired(fragments);
  }
}
