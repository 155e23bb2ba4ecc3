// The repository's manifests/ as the lab and the tests install them, and the legacy ConfigMap they build.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MANIFESTS = fileURLToPath(new URL('../../manifests/', import.meta.url));

/** manifests/NN-*.yaml in order (the numbered install files; example-config.yaml is left to each test). */
export function installManifests(): string[] {
  return installManifestFiles().map((f) => readFileSync(join(MANIFESTS, f), 'utf8'));
}

/** The names of the numbered install files, in order. */
export function installManifestFiles(): string[] {
  const files = readdirSync(MANIFESTS)
    .filter((f) => /^\d\d-.*\.yaml$/.test(f))
    .sort();
  if (files.length < 5) throw new Error(`expected the numbered manifests in ${MANIFESTS}, found ${files.join(', ')}`);
  return files;
}

/**
 * The legacy ConfigMap (ferrolb-system/config) holding `pools`: a YAML list of address pools written
 * from column 0 (`- name: a` …), placed under `address-pools:`.
 */
export function legacyConfigMap(pools: string): string {
  const lines = pools.trim().split('\n');
  if (!lines[0]!.startsWith('- '))
    throw new Error(`legacyConfigMap: expected a YAML list of pools, got ${JSON.stringify(pools)}`);
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: config
  namespace: ferrolb-system
data:
  config: |
    address-pools:
${lines.map((l) => `      ${l}`).join('\n')}
`;
}
