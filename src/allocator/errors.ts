// Building typed allocation failures. `code` is stable (metrics, Events); `message` tells a user what to
// change and names the pool, address or other service involved.
import type { Family } from '../net/family.ts';
import type { AllocationError, AllocationErrorCode, AllocationResult } from './types.ts';

export function allocationError(code: AllocationErrorCode, message: string): AllocationError {
  return { code, message };
}

export function failure(code: AllocationErrorCode, message: string): AllocationResult {
  return { ok: false, error: { code, message } };
}

export function familyName(family: Family): string {
  return family === 'ipv4' ? 'IPv4' : 'IPv6';
}
