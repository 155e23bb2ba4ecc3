// `ferrolb lab --once` end to end: real API server, manifests, example pools, controller, demo Service.
import { describe, expect, it } from 'vitest';
import { labCommand } from '../../../src/cli/lab.ts';

describe('ferrolb lab --once', () => {
  it('prints the demo Service IPs from the example pool and exits 0', async () => {
    let out = '';
    let err = '';
    const code = await labCommand(['--once'], { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/applied manifests\/03-controller-rbac\.yaml/);
    expect(out).toMatch(/^Service demo\/web: 192\.0\.2\.\d+, 2001:db8::[0-9a-f:]* \(pool default\)$/m);
    // 2001:db8::/64 without its Subnet-Router anycast address (RFC 4291 §2.6.1): the first IPv6 is ::1.
    expect(out).toMatch(/^Service demo\/web: 192\.0\.2\.\d+, 2001:db8::1 \(pool default\)$/m);
  }, 180_000);
});
