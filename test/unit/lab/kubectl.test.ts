import { describe, expect, it } from 'vitest';
import { findKubectl, tryCommands } from '../../../src/lab/kubectl.ts';

describe('the commands the lab prints', () => {
  it('finds the pinned kubectl next to kube-apiserver first, then on PATH, else none', () => {
    const has =
      (...paths: string[]) =>
      (p: string) =>
        paths.includes(p);
    expect(findKubectl(['/cache/k8s'], '/usr/bin:/bin', has('/cache/k8s/kubectl', '/usr/bin/kubectl'))).toBe(
      '/cache/k8s/kubectl',
    );
    expect(findKubectl(['/cache/k8s'], '/usr/bin:/bin', has('/bin/kubectl'))).toBe('/bin/kubectl');
    expect(findKubectl(['/cache/k8s'], '/usr/bin:/bin', has())).toBeUndefined();
  });

  const base = {
    kubeconfigPath: '/tmp/k/admin.kubeconfig',
    server: 'https://127.0.0.1:6443',
    certDir: '/tmp/k',
    metricsPort: 7472,
  };
  it('uses the kubectl it found, by its full path', () => {
    expect(tryCommands({ ...base, kubectl: '/cache/k8s/kubectl' })).toEqual([
      '/cache/k8s/kubectl --kubeconfig /tmp/k/admin.kubeconfig get svc -A',
      '/cache/k8s/kubectl --kubeconfig /tmp/k/admin.kubeconfig get events -n demo',
      'curl -s http://127.0.0.1:7472/metrics | grep ^ferrolb_',
    ]);
  });
  it('without kubectl prints curl with the admin client certificate', () => {
    const cmds = tryCommands({ ...base, kubectl: undefined });
    expect(cmds[0]).toBe(
      'curl -s --cacert /tmp/k/ca.crt --cert /tmp/k/admin.crt --key /tmp/k/admin.key https://127.0.0.1:6443/api/v1/namespaces/demo/services/web | grep -A4 \'"loadBalancer"\'',
    );
    expect(cmds.join('\n')).not.toMatch(/kubectl/);
  });
});
