// A ServiceAccount's own credentials: ensures the namespace and ServiceAccount exist, asks the
// TokenRequest API (serviceaccounts/token) for a bound token, and writes a kubeconfig using it, so a
// component under test runs as that ServiceAccount under the real RBAC authorizer.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { apiStatus, describeApiError } from './api-error.ts';

export interface TokenOptions {
  /** Token lifetime (default 24 h; the API server's minimum is 10 minutes). */
  expirationSeconds?: number;
}

async function ignoreConflict(what: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (apiStatus(err) !== 409) throw new Error(`service-account: ${what} failed: ${describeApiError(err)}`);
  }
}

export async function serviceAccountToken(
  admin: KubeConfig,
  namespace: string,
  name: string,
  opts: TokenOptions = {},
): Promise<string> {
  const core = admin.makeApiClient(CoreV1Api);
  await ignoreConflict(`creating namespace ${namespace}`, () =>
    core.createNamespace({ body: { metadata: { name: namespace } } }),
  );
  await ignoreConflict(`creating ServiceAccount ${namespace}/${name}`, () =>
    core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } }),
  );
  try {
    const tr = await core.createNamespacedServiceAccountToken({
      name,
      namespace,
      body: { spec: { audiences: [], expirationSeconds: opts.expirationSeconds ?? 86_400 } },
    });
    const token = tr.status?.token;
    if (!token) throw new Error('the TokenRequest came back without status.token');
    return token;
  } catch (err) {
    throw new Error(`service-account: token request for ${namespace}/${name} failed: ${describeApiError(err)}`);
  }
}
