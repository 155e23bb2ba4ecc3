export { Swim, type SwimHooks, type ProbeResult } from './swim.ts';
export { defaultSwimConfig, resolveSwimConfig, type SwimConfig, type SwimOptions } from './config.ts';
export type { Transport, TransportHandlers } from './transport.ts';
export { addressKey } from './transport.ts';
export type { MemberView, MemberEvent, MemberEventKind } from './member.ts';
export { suspicionTimeout } from './suspicion.ts';
export { retransmitLimit } from './broadcasts.ts';
export type { Random } from './random.ts';
