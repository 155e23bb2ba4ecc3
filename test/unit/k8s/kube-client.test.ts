import { KubeConfig } from '@kubernetes/client-node';
import { RequestContext, HttpMethod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { kubeconfigSource, poolConnections } from '../../../src/k8s/kube-client.ts';

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      { name: 'c', server: 'https://127.0.0.1:6443', caData: Buffer.from('not really a CA').toString('base64') },
    ],
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

describe('kubeconfigSource', () => {
  const token = '/var/run/secrets/kubernetes.io/serviceaccount/token';
  const has =
    (...paths: string[]) =>
    (p: string) =>
      paths.includes(p);
  it('takes the flag, then the in-cluster account, then $KUBECONFIG, then ~/.kube/config', () => {
    expect(kubeconfigSource('/k', {}, has('/k'), '/root')).toEqual({ kind: 'file', paths: ['/k'] });
    expect(kubeconfigSource(undefined, { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, has(token), '/root')).toEqual({
      kind: 'cluster',
    });
    expect(kubeconfigSource(undefined, { KUBECONFIG: '/a:/b' }, has('/b'), '/root')).toEqual({
      kind: 'file',
      paths: ['/b'],
    });
    expect(kubeconfigSource(undefined, {}, has('/root/.kube/config'), '/root')).toEqual({
      kind: 'file',
      paths: ['/root/.kube/config'],
    });
  });
  it('with none of them says what it looked for instead of falling back to localhost:8080', () => {
    const none = kubeconfigSource(undefined, {}, has(), '/root');
    expect(none.kind).toBe('none');
    if (none.kind === 'none')
      expect(none.why).toMatch(/no kubeconfig: not in a cluster .* no \/root\/\.kube\/config; pass --kubeconfig PATH/);
    expect(kubeconfigSource('/nope', {}, has(), '/root')).toEqual({
      kind: 'none',
      why: '--kubeconfig /nope: no such file',
    });
    expect(kubeconfigSource(undefined, { KUBECONFIG: '/x' }, has(), '/root')).toEqual({
      kind: 'none',
      why: 'KUBECONFIG=/x: no such file',
    });
  });
});
