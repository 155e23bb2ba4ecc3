export { Layer2, ALL_INTERFACES } from './layer2.ts';
export type {
  Layer2Options,
  Layer2Events,
  AnnouncedEvent,
  AnsweredEvent,
  ConflictEvent,
  SkippedEvent,
  SkipReason,
} from './layer2.ts';
export { packetSocketIo, FRAME_OUTGOING, FRAME_TRUNCATED, FRAME_VLAN_TAGGED } from './link.ts';
export type { FrameHandler, L2Io, L2Link, LinkFrame } from './link.ts';
export { createL2Metrics, type L2Metrics } from './metrics.ts';
export { readInterfaceFacts, listInterfaces, InterfaceNotFoundError } from './sysfs-interfaces.ts';
export { defaultAnnounceConfig, type AnnounceConfig, type InterfaceFacts, type IgnoreReason } from './core/index.ts';
