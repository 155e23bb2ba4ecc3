import { KubeConfig } from '@kubernetes/client-node';
import { RequestContext, HttpMethod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { poolConnections } from '../../../src/k8s/kube-client.ts';

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', caData: Buffer.from('not really a CA').toString('base64') }],
    users: [{ name: 'u', token: 'secret-token' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return kc;
}

async function dispatcherOf(kc: KubeConfig): Promise<unknown> {
  const ctx = new RequestContext('https://127.0.0.1:6443/api/v1/services', HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);
  return ctx.getDispatcher();
}

describe('poolConnections', () => {
  it('client-node alone builds a new dispatcher per request (the reason for the wrapper)', async () => {
    const kc = kubeConfig();
    expect(await dispatcherOf(kc)).not.toBe(await dispatcherOf(kc));
  });

  it('with the wrapper every request of the same cluster and credentials shares one dispatcher', async () => {
    const kc = poolConnections(kubeConfig());
    const a = await dispatcherOf(kc);
    expect(a).toBeDefined();
    expect(await dispatcherOf(kc)).toBe(a);
  });
});
