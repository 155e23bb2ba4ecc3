// The narrow interfaces ("ports") the speaker drives. Each real component (src/memberlist, src/l2,
// src/bgp/speaker, src/ipvs) is plugged in through a small adapter in speaker/main.ts; unit tests plug
// fakes. Every port is a desired-state setter or an event source: the speaker never tracks what a
// component did before.
import type { Config, Peer } from '../config/index.ts';
import type { Announcement, NodeInfo } from '../bgp/speaker/index.ts';
import type { Layer2Announcement } from './desired.ts';

export type MembershipChangeKind = 'join' | 'leave' | 'fail' | 'update';

export interface MembershipChange {
  kind: MembershipChangeKind;
  node: string;
  /** Clock.now() when membership learnt it (the start of a failover, for the latency histogram). */
  at: number;
}

/** The member keyring: `primary` encrypts, every key decrypts (memberlist's Keyring). */
export interface Keyring {
  primary: Uint8Array;
  secondary: Uint8Array[];
}

export interface MembershipPort {
  start(): Promise<void>;
  /** Joins through any of `addresses` (host or host:port); resolves with how many answered. */
  join(addresses: readonly string[]): Promise<number>;
  /** Tells the others we leave (graceful), waiting at most `timeoutMs`. */
  leave(timeoutMs: number): Promise<void>;
  /** Names of the members alive now, this node included. */
  alive(): ReadonlySet<string>;
  onChange(fn: (change: MembershipChange) => void): void;
  setKeyring(keyring: Keyring): void;
  stop(): Promise<void>;
}

/** A second MAC answering for an IP this node owns, as the Layer 2 component saw it. */
export interface Layer2Conflict {
  ip: string;
  interface: string;
  mac: string;
}

export interface Layer2Port {
  /** The IPs to answer ARP/NDP for now (and to announce by gratuitous ARP / unsolicited NA when new). */
  set(announcements: readonly Layer2Announcement[]): void;
  onConflict(fn: (conflict: Layer2Conflict) => void): void;
  /** Why this node cannot answer for what it owns right now (a packet socket that would not open), if so. */
  problem?(): string | undefined;
  stop(): Promise<void>;
}

export type BgpConfig = Pick<Config, 'peers' | 'bgpAdvertisements' | 'bfdProfiles'>;

/** The part of BgpSpeaker the speaker drives. */
export interface BgpPort {
  setConfig(config: BgpConfig): void;
  setNode(node: NodeInfo): void;
  setAnnouncements(ips: Announcement[]): void;
  start(): Promise<void>;
  stop(opts?: { restart?: boolean }): Promise<void>;
}

/**
 * The IPVS syncer (src/ipvs): every node programs every LoadBalancer Service of this installation
 * (virtual servers, the IPs on its dummy interface), as kube-proxy does, whoever announces them. Input:
 * the Service and EndpointSlice objects as the API gives them (the adapter coalesces, converts, reports
 * problems and failures itself: the speaker's decisions never wait on IPVS).
 */
export interface IpvsPort {
  sync(objects: { services: readonly unknown[]; endpointSlices: readonly unknown[] }): void;
  /** Stops syncing; the kernel state stays as it is (a restart drops no traffic). */
  stop(): Promise<void>;
}

export type PasswordLookup = (peer: Peer) => string | undefined;
