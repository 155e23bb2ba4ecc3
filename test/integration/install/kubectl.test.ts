// The kubectl install paths, with the pinned kubectl of scripts/k8s-binaries.sh against a real API server:
// `kubectl apply -f manifests/` as the README says, `kubectl apply -k .` (kustomization.yaml), and an
// overlay setting the image the way a user points it at their registry.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { installManifests, locateK8sBinaries, startCluster, type Cluster } from '../../../src/lab/index.ts';
import { exec } from '../../../src/lab/container-engine.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let kubectl: string;
let cluster: Cluster;

beforeAll(async () => {
  kubectl = join((await locateK8sBinaries()).dir, 'kubectl');
  if (!existsSync(kubectl))
    throw new Error(`${kubectl} is missing: run scripts/k8s-binaries.sh (it builds the pinned kubectl)`);
  cluster = await startCluster();
}, 900_000);
afterAll(async () => {
  await cluster?.stop();
});

const k = (...args: string[]) =>
  exec([kubectl, '--kubeconfig', cluster.kubeconfigPath, ...args], { timeoutMs: 180_000 });
const names = (yamlText: string): string[] =>
  parseAllDocuments(yamlText)
    .map((d) => d.toJS() as { kind: string; metadata: { name: string } } | null)
    .filter((o) => o !== null)
    .map((o) => `${o!.kind}/${o!.metadata.name}`)
    .sort();

describe('kubectl', () => {
  test('apply -f manifests/ installs the controller and the example pools', async () => {
    const r = await k('apply', '-f', join(ROOT, 'manifests'));
    expect(r.code, r.stderr).toBe(0);
    const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    expect(
      (await apps.readNamespacedDeployment({ namespace: 'ferrolb-system', name: 'controller' })).spec?.template.spec
        ?.containers[0]?.image,
    ).toBe('ferrolb:0.1.0');
    expect((await core.readNamespacedConfigMap({ namespace: 'ferrolb-system', name: 'config' })).data?.config).toMatch(
      /address-pools/,
    );
  });

  test('kustomize renders the numbered manifests; an overlay sets the image; apply -k . applies', async () => {
    const base = await k('kustomize', ROOT);
    expect(base.code, base.stderr).toBe(0);
    expect(names(base.stdout)).toEqual(names(installManifests().join('\n---\n')));

    const overlay = mkdtempSync(join(tmpdir(), 'fim-kustomize-'));
    try {
      writeFileSync(
        join(overlay, 'kustomization.yaml'),
        `resources: [${relative(overlay, ROOT)}]
images:
  - name: ferrolb
    newName: registry.example.com/ferrolb
    newTag: "9.9.9"
`,
      );
      const r = await k('kustomize', overlay);
      expect(r.code, r.stderr).toBe(0);
      const images = [...r.stdout.matchAll(/^\s+image: (\S+)$/gm)].map((m) => m[1]);
      // The controller Deployment and the speaker DaemonSet run the one image.
      expect(images).toEqual(['registry.example.com/ferrolb:9.9.9', 'registry.example.com/ferrolb:9.9.9']);
    } finally {
      rmSync(overlay, { recursive: true, force: true });
    }

    const applied = await k('apply', '-k', ROOT);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/deployment.apps\/controller (unchanged|configured)/);
  });
});
