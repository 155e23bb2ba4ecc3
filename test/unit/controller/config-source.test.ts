import { describe, expect, it } from 'vitest';
import { configFingerprint, loadConfig } from '../../../src/controller/config-source.ts';
import type { ConfigMapLike } from '../../../src/k8s/metallb-kinds.ts';

const ref = { namespace: 'ferrolb-system', name: 'config' };
const cm = (config: string | undefined): ConfigMapLike => ({
  metadata: { name: 'config', namespace: 'ferrolb-system' },
  data: config === undefined ? {} : { config },
});
const GOOD = 'address-pools:\n  - name: a\n    protocol: layer2\n    addresses: [192.0.2.0/28]\n';
const pool = {
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name: 'p', namespace: 'ferrolb-system' },
  spec: { addresses: ['198.51.100.0/29'] },
};

describe('loadConfig', () => {
  it('nothing present: none', () => {
    expect(loadConfig({ configMap: undefined, crds: [], configMapRef: ref })).toEqual({ kind: 'none' });
  });

  it('a good ConfigMap: its pools', () => {
    const r = loadConfig({ configMap: cm(GOOD), crds: [], configMapRef: ref });
    expect(r.kind).toBe('ok');
    if (r.kind === 'ok') {
      expect(r.source).toBe('configmap');
      expect(r.config.pools.map((p) => p.name)).toEqual(['a']);
    }
  });

  it('metallb.io objects: their pools', () => {
    const r = loadConfig({ configMap: undefined, crds: [pool], configMapRef: ref });
    expect(r.kind).toBe('ok');
    if (r.kind === 'ok') expect(r.config.pools.map((p) => p.name)).toEqual(['p']);
  });

  it('both at once: one problem naming both', () => {
    const r = loadConfig({ configMap: cm(GOOD), crds: [pool], configMapRef: ref });
    expect(r.kind).toBe('invalid');
    if (r.kind === 'invalid') {
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]!.where).toBe('ConfigMap/ferrolb-system/config');
      expect(r.problems[0]!.message).toMatch(/IPAddressPool\/ferrolb-system\/p.*either the ConfigMap or the CRDs/);
    }
  });

  it('a ConfigMap without data.config: located problem', () => {
    const r = loadConfig({ configMap: cm(undefined), crds: [], configMapRef: ref });
    expect(r).toMatchObject({
      kind: 'invalid',
      problems: [{ where: 'ConfigMap/ferrolb-system/config', path: 'data.config' }],
    });
  });

  it('a bad ConfigMap: the parser problems, located in the ConfigMap', () => {
    const r = loadConfig({ configMap: cm(GOOD.replace('192.0.2.0/28', '192.0.2.0/33')), crds: [], configMapRef: ref });
    expect(r.kind).toBe('invalid');
    if (r.kind === 'invalid') {
      expect(r.problems.length).toBeGreaterThan(0);
      expect(r.problems[0]!.where).toBe('ConfigMap/ferrolb-system/config');
    }
  });

  it('fingerprints tell a change from a resync', () => {
    const a = loadConfig({ configMap: cm(GOOD), crds: [], configMapRef: ref });
    const b = loadConfig({ configMap: cm(GOOD), crds: [], configMapRef: ref });
    const c = loadConfig({ configMap: cm(GOOD.replace('/28', '/29')), crds: [], configMapRef: ref });
    if (a.kind !== 'ok' || b.kind !== 'ok' || c.kind !== 'ok') throw new Error('fixtures must parse');
    expect(configFingerprint(a.config)).toBe(configFingerprint(b.config));
    expect(configFingerprint(a.config)).not.toBe(configFingerprint(c.config));
  });
});
