export * from './types.ts';
export { pingCodec, indirectPingCodec, ackCodec, nackCodec } from './probe.ts';
export { suspectCodec, aliveCodec, deadCodec, pushPullCodec, MAX_PUSH_PULL_MEMBERS } from './state.ts';
export {
  messageCodec,
  packetCodec,
  ferroWireFormat,
  partLength,
  COMPOUND_OVERHEAD,
  COMPOUND_PART_OVERHEAD,
  MAX_COMPOUND_PARTS,
  type WireFormat,
  type VersionCtx,
} from './message.ts';
