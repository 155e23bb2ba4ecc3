export { Allocator } from './allocator.ts';
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
