export { BfdSession } from './session.ts';
export type { BfdSessionOptions, BfdStateChange, BfdCounters } from './session.ts';
export {
  controlCodec,
  controlLength,
  decodeControl,
  encodeControl,
  writeControl,
  CONTROL_HEADER_LENGTH,
} from './codec.ts';
export type { ControlDecodeCode, DropReason } from './codec.ts';
export {
  step,
  initialVars,
  nextDeadline,
  detectionTime,
  txInterval,
  advertisedTx,
  SLOW_TX_INTERVAL_US,
} from './fsm.ts';
export type { BfdVars, BfdEvent, BfdAction, BfdTimerConfig, BfdContext } from './fsm.ts';
export { timersFromProfile, DEFAULT_BFD_PROFILE } from './profile.ts';
export { MemoryBfdNetwork } from './transport.ts';
export type { BfdTransport, BfdTransportFactory, BfdTransportOptions, BfdPacketMeta } from './transport.ts';
export { Diag, DIAG_NAMES, STATES, BFD_CONTROL_PORT, BFD_MULTIHOP_PORT, BFD_TTL } from './types.ts';
export type { BfdState, ControlPacket, BfdAuth, DiagCode } from './types.ts';
