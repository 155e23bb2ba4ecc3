// Public API of the BGP-4 wire codec. Re-exports only.
export type {
  AfiSafiForwarding,
  AsPathSegment,
  AsPathSegmentType,
  AttributeOf,
  BgpMessage,
  BgpMessageType,
  BodyCodec,
  Capability,
  CapabilityType,
  CodecContext,
  Decoded,
  Keepalive,
  LargeCommunity,
  Notification,
  Open,
  Origin,
  PathAttribute,
  PathAttributeType,
  Prefix,
  WireRoute,
  RouteRefresh,
  Update,
  WireCodec,
} from './model.ts';
export { decodeMessage, encodeMessage, messageCodec, messageLength, writeMessage, MESSAGE_TABLE } from './message.ts';
export { frameLength } from './header.ts';
export {
  AS_TRANS,
  Afi,
  AttributeCode,
  AttributeFlag,
  CapabilityCode,
  MAX_MESSAGE_LENGTH,
  MessageType,
  Safi,
} from './constants.ts';
export { pathAttributeCodec } from './attributes/attribute.ts';
export { ATTRIBUTE_TABLE, attributeName } from './attributes/table.ts';
export { WellKnownCommunity, formatCommunity } from './attributes/communities.ts';
export { forReadvertisement } from './attributes/readvertise.ts';
export { pathLength } from './attributes/as-path-segments.ts';
export { capabilityCodec, CAPABILITY_TABLE } from './capabilities/capability.ts';
export { encodeCapabilities, missingCapabilities } from './capabilities/required.ts';
export { buildOpen, openAsn, type OpenSettings } from './messages/open-builder.ts';
export { endOfRib, endOfRibFamily } from './end-of-rib.ts';
export { packUpdates } from './pack.ts';
export { appliedHandling, updateRoutes, type UpdateRoutes } from './routes.ts';
export { ipv4PrefixCodec, ipv6PrefixCodec } from './nlri.ts';
export { fromHex, hex } from '../../wire/bytes.ts';
export {
  BgpError,
  CeaseSubcode,
  ErrorCode,
  HeaderSubcode,
  HANDLING_STRENGTH,
  OpenSubcode,
  RouteRefreshSubcode,
  UpdateSubcode,
  isBgpError,
  strongerHandling,
  badPeerAs,
  unsupportedCapability,
  type ErrorHandling,
} from '../errors.ts';
