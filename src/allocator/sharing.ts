// Who holds an address, and whether one more service may hold it too (allow-shared-ip, MetalLB rules):
// every holder has the same non-empty sharing key, the same backend key (services with
// externalTrafficPolicy Local must select the same pods, or they would be announced from different
// nodes; MetalLB compares the selector of Local services and "" for Cluster ones — we compare
// "Local:<selector>" against "Cluster", so a Local service never shares with a Cluster one), and no
// (protocol, port) is used twice.
import type { Family } from '../net/family.ts';
import { allocationError } from './errors.ts';
import type { AllocationError } from './types.ts';

export interface Holder {
  key: string;
  sharingKey: string | undefined;
  backend: string;
  /** `PROTOCOL/port`. */
  ports: readonly string[];
}

/**
 * One held address. Kept small (no per-address maps): an allocator holds one per service, and the
 * number of services sharing one address is small, so holders is a plain array.
 */
export interface AddressState {
  family: Family;
  value: bigint;
  text: string;
  /** The pool the address was handed out from. */
  pool: string;
  holders: Holder[];
}

export function newAddressState(family: Family, value: bigint, text: string, pool: string): AddressState {
  return { family, value, text, pool, holders: [] };
}

/**
 * What holders of one address all agree on — sharing key and backend — as one string; undefined for
 * an address whose holder does not share. Shared addresses are indexed by it (see sharing-index.ts).
 */
export function sharingGroupOf(holder: Holder | undefined): string | undefined {
  return holder?.sharingKey === undefined ? undefined : `${holder.sharingKey}\u0000${holder.backend}`;
}

/**
 * checkSharing's fast path for a candidate of the address's own sharing group (same key and backend):
 * true when none of its ports is used by another holder. Allocates nothing.
 */
export function portsFree(state: AddressState, candidate: Holder): boolean {
  for (const other of state.holders) {
    if (other.key === candidate.key) continue;
    for (const port of candidate.ports) if (other.ports.includes(port)) return false;
  }
  return true;
}

/** Whether `candidate` may join the holders of `state` (ignoring its own earlier holding, if any). */
export function checkSharing(state: AddressState, candidate: Holder): AllocationError | undefined {
  const ip = state.text;
  let checkedKeys = false;
  for (const other of state.holders) {
    if (other.key === candidate.key) continue;
    if (!checkedKeys) {
      // Every holder agrees on sharing key and backend, so one comparison covers them all.
      checkedKeys = true;
      const err = checkKeys(ip, other, candidate);
      if (err) return err;
    }
    for (const port of candidate.ports) {
      if (other.ports.includes(port)) {
        return allocationError(
          'PortConflict',
          `port ${port} on ${ip} is already used by ${other.key}, which shares the address with ${candidate.key}`,
        );
      }
    }
  }
  return undefined;
}

function checkKeys(ip: string, other: Holder, candidate: Holder): AllocationError | undefined {
  if (other.sharingKey === undefined) {
    return allocationError(
      'RequestedIpInUse',
      `${ip} is in use by ${other.key}, which does not allow sharing (no allow-shared-ip annotation)`,
    );
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
  return undefined;
}

function describeBackend(b: string): string {
  if (b === 'Cluster') return 'externalTrafficPolicy Cluster';
  return `externalTrafficPolicy Local with selector "${b.slice('Local:'.length)}"`;
}

/** Adds (or replaces) a holder; the caller checked checkSharing. */
export function attachHolder(state: AddressState, holder: Holder): void {
  const i = state.holders.findIndex((h) => h.key === holder.key);
  if (i >= 0) state.holders[i] = holder;
  else state.holders.push(holder);
}

/** Removes a holder; returns true when nobody holds the address any more. */
export function detachHolder(state: AddressState, key: string): boolean {
  const i = state.holders.findIndex((h) => h.key === key);
  if (i >= 0) state.holders.splice(i, 1);
  return state.holders.length === 0;
}
