// A member as this node sees it, and what the engine tells its user about members.
import type { Address, MemberStateName, PushPullMember } from '../codec/index.ts';
import type { Suspicion } from './suspicion.ts';

/** What push-pull carries about a member, and what only this node keeps. */
export interface Member extends PushPullMember {
  /** Monotonic ms of the last state change. */
  stateChangedAt: number;
  suspicion?: Suspicion;
}

/** A read-only copy for users of the engine. */
export interface MemberView {
  name: string;
  addr: Address;
  state: MemberStateName;
  incarnation: number;
  meta: Uint8Array;
}

export type MemberEventKind = 'join' | 'leave' | 'update';

export interface MemberEvent {
  kind: MemberEventKind;
  member: MemberView;
}

export function view(m: Member): MemberView {
  return { name: m.name, addr: { ...m.addr }, state: m.state, incarnation: m.incarnation, meta: m.meta };
}

export function sameAddress(a: Address, b: Address): boolean {
  return a.ip === b.ip && a.port === b.port;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
