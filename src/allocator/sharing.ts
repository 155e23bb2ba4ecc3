// Who holds an address, and whether one more service may hold it too (allow-shared-ip, MetalLB rules):
// every holder has the same non-empty sharing key, the same backend key (services with
// externalTrafficPolicy Local must select the same pods, or they would be announced from different
// nodes; MetalLB compares the selector of Local services and "" for Cluster ones — we compare
// "Local:<selector>" against "Cluster", so a Local service never shares with a Cluster one), and no
// (protocol, port) is used twice.
import type { Family } from '../config/model.ts';
import { allocationError } from './errors.ts';
import type { AllocationError } from './types.ts';

export interface Holder {
  key: string;
  sharingKey: string | undefined;
  backend: string;
  ports: readonly string[];
}

export interface AddressState {
  family: Family;
  value: bigint;
  text: string;
  /** The pool the address was handed out from. */
  pool: string;
  holders: Map<string, Holder>;
  /** `PROTOCOL/port` → key of the service using it on this address. */
  ports: Map<string, string>;
}

export function newAddressState(family: Family, value: bigint, text: string, pool: string): AddressState {
  return { family, value, text, pool, holders: new Map(), ports: new Map() };
}

/** The sharing key all holders agree on (undefined when unshared or empty). */
export function sharingKeyOf(state: AddressState): string | undefined {
  for (const h of state.holders.values()) return h.sharingKey;
  return undefined;
}

/** Whether `candidate` may join the holders of `state` (ignoring its own earlier holding, if any). */
export function checkSharing(state: AddressState, candidate: Holder): AllocationError | undefined {
  let other: Holder | undefined;
  for (const h of state.holders.values()) {
    if (h.key !== candidate.key) {
      other = h;
      break;
    }
  }
  if (!other) return undefined;
  const ip = state.text;
  if (other.sharingKey === undefined) {
    return allocationError('RequestedIpInUse', `${ip} is in use by ${other.key}, which does not allow sharing (no allow-shared-ip annotation)`);
  }
  if (candidate.sharingKey === undefined) {
    return allocationError(
      'RequestedIpInUse',
      `${ip} is in use by ${other.key}; ${candidate.key} can only share it with the allow-shared-ip annotation set to "${other.sharingKey}"`,
    );
  }
  if (other.sharingKey !== candidate.sharingKey) {
    return allocationError(
      'SharingKeyMismatch',
      `${ip} is shared under allow-shared-ip "${other.sharingKey}" (by ${other.key}), not "${candidate.sharingKey}" as ${candidate.key} asks`,
    );
  }
  if (other.backend !== candidate.backend) {
    return allocationError(
      'BackendMismatch',
      `${ip} is shared with ${other.key} (${describeBackend(other.backend)}), but ${candidate.key} has ${describeBackend(candidate.backend)}; ` +
        'services sharing an address with externalTrafficPolicy Local must all be Local with the same selector',
    );
  }
  for (const port of candidate.ports) {
    const owner = state.ports.get(port);
    if (owner !== undefined && owner !== candidate.key) {
      return allocationError('PortConflict', `port ${port} on ${ip} is already used by ${owner}, which shares the address with ${candidate.key}`);
    }
  }
  return undefined;
}

function describeBackend(b: string): string {
  if (b === 'Cluster') return 'externalTrafficPolicy Cluster';
  const sel = b.slice('Local:'.length);
  return `externalTrafficPolicy Local with selector "${sel}"`;
}

/** Adds a holder (caller checked checkSharing). */
export function attachHolder(state: AddressState, holder: Holder): void {
  state.holders.set(holder.key, holder);
  for (const p of holder.ports) state.ports.set(p, holder.key);
}

/** Removes a holder; returns true when nobody holds the address any more. */
export function detachHolder(state: AddressState, key: string): boolean {
  const h = state.holders.get(key);
  if (h) {
    state.holders.delete(key);
    for (const p of h.ports) if (state.ports.get(p) === key) state.ports.delete(p);
  }
  return state.holders.size === 0;
}
