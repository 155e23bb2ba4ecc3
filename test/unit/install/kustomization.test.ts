// The install paths agree: kustomization.yaml lists exactly the numbered manifests (what
// `kubectl apply -f manifests/` installs, minus the example pools) and sets the image the Deployment
// names; the image tag, the chart's appVersion and package.json's version are one version.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');

describe('kustomization.yaml', () => {
  const k = parse(read('kustomization.yaml')) as {
    resources: string[];
    images: { name: string; newName: string; newTag: string }[];
  };
  const version = (JSON.parse(read('package.json')) as { version: string }).version;

  test('lists every numbered manifest, in order, and nothing else', () => {
    const numbered = readdirSync(join(ROOT, 'manifests'))
      .filter((f) => /^\d\d-.*\.yaml$/.test(f))
      .sort();
    expect(numbered.length).toBeGreaterThanOrEqual(5);
    expect(k.resources).toEqual(numbered.map((f) => `manifests/${f}`));
  });

  test('sets the image every FerroLB container in the manifests names, at the package version', () => {
    const images = k.resources.flatMap((r) =>
      parseAllDocuments(read(r)).flatMap((d) => {
        const o = d.toJS() as { spec?: { template?: { spec?: { containers?: { image: string }[] } } } } | null;
        return (o?.spec?.template?.spec?.containers ?? []).map((c) => c.image);
      }),
    );
    expect(images.length).toBeGreaterThan(0);
    expect(k.images).toHaveLength(1);
    for (const image of images) expect(image).toBe(`${k.images[0]!.name}:${version}`);
    expect(k.images[0]).toEqual({ name: 'ferrolb', newName: 'ferrolb', newTag: version });
  });

  test("the Helm chart's appVersion (its default image tag) is the package version", () => {
    const chart = parse(read('charts/ferrolb/Chart.yaml')) as { appVersion: string };
    expect(String(chart.appVersion)).toBe(version);
  });
});
