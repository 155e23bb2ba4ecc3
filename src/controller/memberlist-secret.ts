// The memberlist Secret, created by the controller when missing (as MetalLB's controller does), so the
// speakers' gossip is encrypted from the first start without a manual step. An existing Secret is never
// touched: replacing its value is how an operator rotates the key (the speakers follow it).
import { randomBytes } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import { errorText, httpStatus } from '../k8s/informer.ts';
import type { KubeRest } from '../k8s/rest.ts';

export const MEMBERLIST_SECRET_DATA_KEY = 'secretkey';
/** Bytes of random key material (MetalLB uses 128; the speaker hashes it down to an AES-256 key). */
export const MEMBERLIST_SECRET_BYTES = 128;

export interface MemberlistSecretLog {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

export type EnsureOutcome = 'exists' | 'created' | 'failed';

/** The two calls made (client-node's CoreV1Api has this shape too). */
export interface SecretApi {
  readNamespacedSecret(p: { namespace: string; name: string }): Promise<unknown>;
  createNamespacedSecret(p: { namespace: string; body: V1Secret }): Promise<unknown>;
}

export function restSecretApi(rest: KubeRest): SecretApi {
  const base = (ns: string): string => `/api/v1/namespaces/${encodeURIComponent(ns)}/secrets`;
  return {
    readNamespacedSecret: ({ namespace, name }) =>
      rest.request('GET', `${base(namespace)}/${encodeURIComponent(name)}`),
    createNamespacedSecret: ({ namespace, body }) => rest.request('POST', base(namespace), { body }),
  };
}

export async function ensureMemberlistSecret(
  core: SecretApi,
  ref: { namespace: string; name: string },
  log: MemberlistSecretLog,
  random: (n: number) => Uint8Array = randomBytes,
): Promise<EnsureOutcome> {
  const where = `Secret/${ref.namespace}/${ref.name}`;
  try {
    await core.readNamespacedSecret(ref);
    return 'exists';
  } catch (err) {
    if (httpStatus(err) !== 404) {
      log.warn({ secret: where, error: errorText(err) }, 'cannot read the memberlist Secret');
      return 'failed';
    }
  }
  try {
    await core.createNamespacedSecret({
      namespace: ref.namespace,
      body: {
        metadata: {
          name: ref.name,
          namespace: ref.namespace,
          labels: { 'app.kubernetes.io/name': 'ferrolb', 'app.kubernetes.io/component': 'speaker' },
        },
        type: 'Opaque',
        data: { [MEMBERLIST_SECRET_DATA_KEY]: Buffer.from(random(MEMBERLIST_SECRET_BYTES)).toString('base64') },
      },
    });
    log.info({ secret: where }, 'created the memberlist Secret (speaker gossip key)');
    return 'created';
  } catch (err) {
    if (httpStatus(err) === 409) return 'exists';
    log.warn({ secret: where, error: errorText(err) }, 'cannot create the memberlist Secret');
    return 'failed';
  }
}
