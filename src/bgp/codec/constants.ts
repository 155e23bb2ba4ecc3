// Wire constants: message types (RFC 4271 §4.1, RFC 2918), path attribute type codes and flags
// (RFC 4271 §4.3, RFC 1997, RFC 4760, RFC 6793, RFC 8092), AFI/SAFI (IANA), capability codes (IANA).

export const MARKER_LENGTH = 16;
export const HEADER_LENGTH = 19;
export const MIN_MESSAGE_LENGTH = 19;
export const MAX_MESSAGE_LENGTH = 4096;

export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  'ROUTE-REFRESH': 5,
} as const;

export const AttributeFlag = {
  Optional: 0x80,
  Transitive: 0x40,
  Partial: 0x20,
  ExtendedLength: 0x10,
} as const;

export const AttributeCode = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
  LARGE_COMMUNITIES: 32,
} as const;

export const CapabilityCode = {
  MULTIPROTOCOL: 1,
  ROUTE_REFRESH: 2,
  GRACEFUL_RESTART: 64,
  FOUR_OCTET_AS: 65,
  ENHANCED_ROUTE_REFRESH: 70,
} as const;

/** OPEN optional parameter types (RFC 5492, RFC 9072). */
export const OptionalParameterType = {
  Capabilities: 2,
  ExtendedLength: 255,
} as const;

export const Afi = { IPv4: 1, IPv6: 2 } as const;
export const Safi = { Unicast: 1, Multicast: 2 } as const;

/** RFC 6793 §9: the 2-octet AS number standing in for a 4-octet one. */
export const AS_TRANS = 23456;
