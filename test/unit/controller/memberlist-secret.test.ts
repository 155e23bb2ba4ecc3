import { describe, expect, it } from 'vitest';
import {
  ensureMemberlistSecret,
  MEMBERLIST_SECRET_BYTES,
  type SecretApi,
} from '../../../src/controller/memberlist-secret.ts';

const log = { info() {}, warn() {} };
const err = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });

function api(read: () => Promise<unknown>, create: () => Promise<unknown>): SecretApi & { created: unknown[] } {
  const created: unknown[] = [];
  return {
    created,
    readNamespacedSecret: read,
    createNamespacedSecret: async (p) => {
      created.push(p.body);
      return create();
    },
  };
}

describe('ensureMemberlistSecret', () => {
  const ref = { namespace: 'ferrolb-system', name: 'memberlist' };

  it('creates the Secret with random key material when it is missing, and never touches an existing one', async () => {
    const missing = api(
      () => Promise.reject(err(404)),
      async () => ({}),
    );
    expect(await ensureMemberlistSecret(missing, ref, log, (n) => new Uint8Array(n).fill(7))).toBe('created');
    const body = missing.created[0] as { metadata: { name: string }; data: { secretkey: string } };
    expect(body.metadata.name).toBe('memberlist');
    expect(Buffer.from(body.data.secretkey, 'base64')).toEqual(Buffer.alloc(MEMBERLIST_SECRET_BYTES, 7));
    const present = api(
      async () => ({}),
      async () => ({}),
    );
    expect(await ensureMemberlistSecret(present, ref, log)).toBe('exists');
    expect(present.created).toEqual([]);
  });

  it('a concurrent creation (409) counts as existing; other errors are failures to retry', async () => {
    expect(
      await ensureMemberlistSecret(
        api(
          () => Promise.reject(err(404)),
          () => Promise.reject(err(409)),
        ),
        ref,
        log,
      ),
    ).toBe('exists');
    expect(
      await ensureMemberlistSecret(
        api(
          () => Promise.reject(err(403)),
          async () => ({}),
        ),
        ref,
        log,
      ),
    ).toBe('failed');
    expect(
      await ensureMemberlistSecret(
        api(
          () => Promise.reject(err(404)),
          () => Promise.reject(err(500)),
        ),
        ref,
        log,
      ),
    ).toBe('failed');
  });
});
