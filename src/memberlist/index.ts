export {
  Memberlist,
  parseHostPort,
  type MemberlistOptions,
  type MemberInfo,
  type MembershipEvent,
} from './memberlist.ts';
export { Keyring, parseKeyFile } from './keyring.ts';
export { SecureTransport, type SecurityDropReason } from './secure-transport.ts';
export { NetTransport } from './net-transport.ts';
export { MemberlistMetrics } from './metrics.ts';
