export { Allocator } from './allocator.ts';
export { addressText } from './address-text.ts';
export { countBuggyIps, isBuggyIp } from './buggy-ips.ts';
export type {
  AllocationError,
  AllocationErrorCode,
  AllocationRequest,
  AllocationResult,
  Assignment,
  IpFamilyPolicy,
  PoolUsage,
  PortProtocol,
  ServicePort,
} from './types.ts';
