// The send hold time (RFC 9687): configured, else 8 minutes, or twice a hold time longer than 4 minutes.
import { describe, expect, it } from 'vitest';
import { sendHoldSeconds } from '../../../../src/bgp/session/flow-control.ts';

describe('sendHoldSeconds', () => {
  it('takes the configured value, else max(480 s, 2 × hold time)', () => {
    expect(sendHoldSeconds(10, 90)).toBe(10);
    expect(sendHoldSeconds(undefined, 90)).toBe(480);
    expect(sendHoldSeconds(undefined, undefined)).toBe(480);
    expect(sendHoldSeconds(undefined, 0)).toBe(480);
    expect(sendHoldSeconds(undefined, 600)).toBe(1200);
  });
});
