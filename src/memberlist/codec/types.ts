// Membership messages as values (version 1 of the wire format). A later release adds a version and
// decodes both, sending the old one until every member advertises the new one in its alive message
// (protocolMin/protocolMax), so it rolls out node by node.

/** A member's UDP/TCP endpoint. `ip` is canonical text (src/net). */
export interface Address {
  ip: string;
  port: number;
}

export type MemberStateName = 'alive' | 'suspect' | 'dead' | 'left';

export interface Ping {
  type: 'ping';
  seq: number;
  /** Name of the member the sender means to reach; a different member at that address ignores it. */
  target: string;
  source: string;
  sourceAddr: Address;
}

/** Ask the receiver to ping `target` for `source` and relay the ack (and a nack if none comes in time). */
export interface IndirectPing {
  type: 'indirect-ping';
  seq: number;
  target: string;
  targetAddr: Address;
  source: string;
  sourceAddr: Address;
  nack: boolean;
}

export interface Ack {
  type: 'ack';
  seq: number;
}

/** Sent by an indirect prober whose own ping of the target got no ack in time (Lifeguard). */
export interface Nack {
  type: 'nack';
  seq: number;
}

export interface Suspect {
  type: 'suspect';
  incarnation: number;
  node: string;
  from: string;
}

export interface Alive {
  type: 'alive';
  incarnation: number;
  node: string;
  addr: Address;
  meta: Uint8Array;
  protocolMin: number;
  protocolMax: number;
}

/** A member is dead (declared by `from`) or left gracefully (`left`, sent by the member itself). */
export interface Dead {
  type: 'dead';
  incarnation: number;
  node: string;
  from: string;
  left: boolean;
}

export interface PushPullMember {
  name: string;
  addr: Address;
  incarnation: number;
  state: MemberStateName;
  meta: Uint8Array;
  protocolMin: number;
  protocolMax: number;
}

/** Full state exchanged over a stream, at join and periodically (anti-entropy). */
export interface PushPull {
  type: 'push-pull';
  join: boolean;
  members: PushPullMember[];
}

/** Several messages in one datagram: a probe with piggy-backed broadcasts. Never nested. */
export interface Compound {
  type: 'compound';
  parts: SimpleMessage[];
}

export type SimpleMessage = Ping | IndirectPing | Ack | Nack | Suspect | Alive | Dead | PushPull;
export type Message = SimpleMessage | Compound;

/** What travels: a version octet, then one message. */
export interface Packet {
  version: number;
  message: Message;
}

/** The version this release writes by default, and the range it reads. */
export const PROTOCOL_VERSION = 1;
export const PROTOCOL_MIN = 1;
export const PROTOCOL_MAX = 1;

/** Largest meta a member may carry (it rides in alive messages inside UDP datagrams). */
export const MAX_META_BYTES = 512;
