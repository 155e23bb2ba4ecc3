// The data model of BGP messages as the codec decodes and encodes them. Names follow the RFCs.
// Addresses are bigints (as in src/net/ip.ts); AS numbers and 32-bit values are plain numbers.
import type { Family } from '../../net/family.ts';
import type { BgpError } from '../errors.ts';
import type { Prefix } from '../prefix.ts';
import type { Codec } from '../../wire/index.ts';

export type { Prefix } from '../prefix.ts';

/** What the session negotiated and the codec must know. */
export interface CodecContext {
  /** RFC 6793: both sides sent the 4-octet AS capability (AS_PATH/AGGREGATOR carry 4-octet ASNs). */
  fourOctetAs: boolean;
  /**
   * The peer is an external (eBGP) neighbor outside any confederation of ours (we run none): AS_PATH
   * confederation segments from it are malformed (RFC 5065 §5.3; handling: RFC 7606 §7.2). Decode only.
   */
  externalPeer?: boolean;
}

/** The codec model's types (src/wire/codec.ts): BGP's self-delimiting wire types are Codecs with the context. */
export type { Decoded } from '../../wire/index.ts';
export type WireCodec<T> = Codec<T, CodecContext>;

/**
 * A type whose extent is given by an enclosing header (a path attribute value, a capability value, a
 * message body): decode gets the length from the header.
 */
export interface BodyCodec<T> {
  decode(buf: Uint8Array, offset: number, length: number, ctx: CodecContext): T;
  write(value: T, buf: Uint8Array, offset: number, ctx: CodecContext): number;
  length(value: T, ctx: CodecContext): number;
}

// ---- Capabilities (RFC 5492) -------------------------------------------------------------------

export interface AfiSafiForwarding {
  afi: number;
  safi: number;
  /** F bit: forwarding state was preserved across the restart. */
  forwardingState: boolean;
}

export type Capability =
  /** RFC 4760 §8 */
  | { type: 'MULTIPROTOCOL'; afi: number; safi: number }
  /** RFC 2918 */
  | { type: 'ROUTE_REFRESH' }
  /** RFC 7313 */
  | { type: 'ENHANCED_ROUTE_REFRESH' }
  /** RFC 6793 */
  | { type: 'FOUR_OCTET_AS'; asn: number }
  /** RFC 4724 §3 (N bit from RFC 8538) */
  | {
      type: 'GRACEFUL_RESTART';
      restartState: boolean;
      notification: boolean;
      /** Seconds, 12 bits. */
      restartTime: number;
      families: AfiSafiForwarding[];
    }
  /** Any other capability, kept as received. */
  | { type: 'UNKNOWN'; code: number; data: Uint8Array };

export type CapabilityType = Capability['type'];

// ---- Path attributes -------------------------------------------------------------------------------

export type Origin = 'IGP' | 'EGP' | 'INCOMPLETE';

export type AsPathSegmentType = 'AS_SET' | 'AS_SEQUENCE' | 'AS_CONFED_SEQUENCE' | 'AS_CONFED_SET';

export interface AsPathSegment {
  type: AsPathSegmentType;
  asns: number[];
}

export interface LargeCommunity {
  globalAdmin: number;
  localData1: number;
  localData2: number;
}

export type PathAttribute =
  | { type: 'ORIGIN'; origin: Origin }
  /**
   * Logical AS path with 4-octet ASNs. With a 2-octet peer the codec writes AS_TRANS plus an AS4_PATH and
   * merges them back on decode (RFC 6793 §4.2).
   */
  | { type: 'AS_PATH'; segments: AsPathSegment[] }
  | { type: 'NEXT_HOP'; nextHop: bigint }
  | { type: 'MULTI_EXIT_DISC'; med: number }
  | { type: 'LOCAL_PREF'; localPref: number }
  | { type: 'ATOMIC_AGGREGATE' }
  | { type: 'AGGREGATOR'; asn: number; address: bigint }
  /** RFC 1997: 32-bit values (high 16 bits AS, low 16 bits value). */
  | { type: 'COMMUNITIES'; communities: number[] }
  /** RFC 4760: IPv4/IPv6 unicast or multicast. Other AFI/SAFI come back as UNKNOWN. */
  | {
      type: 'MP_REACH_NLRI';
      family: Family;
      safi: number;
      nextHop: bigint;
      /** IPv6 only: link-local next hop (next hop length 32, RFC 2545 §3). */
      linkLocalNextHop?: bigint;
      nlri: Prefix[];
    }
  | { type: 'MP_UNREACH_NLRI'; family: Family; safi: number; withdrawn: Prefix[] }
  /** Only on the wire to/from a 2-octet peer; decode merges them into AS_PATH / AGGREGATOR. */
  | { type: 'AS4_PATH'; segments: AsPathSegment[] }
  | { type: 'AS4_AGGREGATOR'; asn: number; address: bigint }
  | { type: 'LARGE_COMMUNITIES'; communities: LargeCommunity[] }
  /** An attribute this codec does not interpret, kept as received (flags include the Partial bit). */
  | { type: 'UNKNOWN'; code: number; flags: number; data: Uint8Array };

export type PathAttributeType = PathAttribute['type'];
export type AttributeOf<T extends PathAttributeType> = Extract<PathAttribute, { type: T }>;

// ---- Messages ----------------------------------------------------------------------------------------

export interface Open {
  type: 'OPEN';
  version: number;
  /** The 2-octet "My Autonomous System" field: AS_TRANS (23456) when the real AS needs 4 octets. */
  myAsn: number;
  holdTime: number;
  /** BGP Identifier as an unsigned 32-bit integer. */
  bgpId: number;
  capabilities: Capability[];
}

export interface Update {
  type: 'UPDATE';
  /** IPv4 prefixes of the Withdrawn Routes field (IPv6 ones are in an MP_UNREACH_NLRI attribute). */
  withdrawn: Prefix[];
  attributes: PathAttribute[];
  /** IPv4 prefixes of the NLRI field (IPv6 ones are in an MP_REACH_NLRI attribute). */
  nlri: Prefix[];
  /**
   * Set by decode when RFC 7606 treat-as-withdraw applies: every prefix of `nlri` and of MP_REACH_NLRI
   * must be handled as withdrawn.
   */
  treatAsWithdraw?: boolean;
  /** Type codes of attributes the decoder dropped (attribute-discard, duplicates, AS4_* rules). */
  discarded?: number[];
  /** Every non-fatal problem found while decoding, each with its handling (for logs and metrics). */
  errors?: BgpError[];
}

export interface Keepalive {
  type: 'KEEPALIVE';
}

export interface Notification {
  type: 'NOTIFICATION';
  code: number;
  subcode: number;
  data: Uint8Array;
  /**
   * RFC 8203/9003 shutdown communication of Cease/Administrative Shutdown (2) and Administrative Reset (4).
   * When set, encode writes it as `data` (length octet + UTF-8, at most 255 bytes).
   */
  shutdownCommunication?: string;
}

export interface RouteRefresh {
  type: 'ROUTE-REFRESH';
  afi: number;
  safi: number;
  /** RFC 7313 §3: 0 normal request, 1 BoRR, 2 EoRR (others reserved, to be ignored). */
  subtype: number;
  /** Anything after AFI/reserved/SAFI in a subtype-0 message (RFC 5291 ORF entries), kept raw. */
  orf?: Uint8Array;
}

export type BgpMessage = Open | Update | Keepalive | Notification | RouteRefresh;
export type BgpMessageType = BgpMessage['type'];

/**
 * A route as the UPDATE codec packs it: one prefix, its next hop, and the attributes other than NEXT_HOP /
 * MP_*. (The announcement model, with text next hops and communities, is Route in src/bgp/routes.ts.)
 */
export interface WireRoute {
  prefix: Prefix;
  nextHop: bigint;
  /** IPv6 only: link-local next hop for peers on the same link. */
  linkLocalNextHop?: bigint;
  attributes: PathAttribute[];
}
