// API objects → the plan's plain inputs, converted once per object (pure). An informer keeps an object
// until it changes and then hands over a new one, so converting by object identity gives the syncer the
// same ServiceInput/EndpointSliceInput objects for everything that did not change — which is what lets
// DesiredBuilder reuse their part of the desired state.
import { endpointSliceFromKube, serviceFromKube, type KubeProblem } from './kube-input.ts';
import type { DesiredInput, EndpointSliceInput, ServiceInput } from './types.ts';

interface Converted<T> {
  value: T | undefined;
  problems: KubeProblem[];
}

export class KubeInputCache {
  #services = new WeakMap<object, Converted<ServiceInput>>();
  #slices = new WeakMap<object, Converted<EndpointSliceInput>>();

  /** Services and EndpointSlices as the API serves them (other objects are skipped). */
  convert(services: readonly unknown[], slices: readonly unknown[]): { input: DesiredInput; problems: KubeProblem[] } {
    const problems: KubeProblem[] = [];
    const input: DesiredInput = { services: [], endpointSlices: [] };
    for (const o of services) {
      const c = this.#one(this.#services, o, serviceFromKube);
      if (!c) continue;
      problems.push(...c.problems);
      if (c.value) input.services.push(c.value);
    }
    for (const o of slices) {
      const c = this.#one(this.#slices, o, endpointSliceFromKube);
      if (!c) continue;
      problems.push(...c.problems);
      if (c.value) input.endpointSlices.push(c.value);
    }
    return { input, problems };
  }

  #one<T>(
    memo: WeakMap<object, Converted<T>>,
    o: unknown,
    fn: (o: Record<string, unknown>, problems: KubeProblem[]) => T | undefined,
  ): Converted<T> | undefined {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
    let c = memo.get(o);
    if (!c) {
      const problems: KubeProblem[] = [];
      c = { value: fn(o as Record<string, unknown>, problems), problems };
      memo.set(o, c);
    }
    return c;
  }
}
