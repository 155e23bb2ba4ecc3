// The legacy ConfigMap: either a whole manifest (kind: ConfigMap, data.config holds the MetalLB YAML) or
// that YAML alone. Problem paths inside the embedded YAML are relative to it (`address-pools[0].name`);
// YAML syntax errors inside a `config: |` block are reported at their line:column in the outer file.
import type { Document } from 'yaml';
import { emptyConfig, resultOf } from './empty.ts';
import { parseLegacy } from './legacy.ts';
import type { Config, ParseResult } from './model.ts';
import { Problems, join } from './problems.ts';
import { Fields, describe, isMapping } from './reader.ts';
import { didYouMean } from './suggest.ts';
import { type PositionMap, type YamlDoc, nonEmpty, readYaml } from './yaml-docs.ts';
import { yaml } from './yaml-lib.ts';

export function parseConfigMap(yamlText: string, where: string): ParseResult {
  const problems = new Problems(where);
  const docs = readYaml(yamlText, problems);
  if (!docs) return resultOf(undefined, problems);
  const found = nonEmpty(docs);
  if (found.length > 1) {
    problems.add(`${found[1]!.line}:1`, 'expected a single YAML document (one ConfigMap or one legacy configuration)');
    return resultOf(undefined, problems);
  }
  const doc = found[0];
  if (!doc) return resultOf(emptyConfig(), problems);
  return resultOf(parseLegacyDocument(doc, doc.value, yamlText, problems), problems);
}

/** True when the value is a Kubernetes object rather than bare legacy configuration. */
export function isManifest(value: unknown): value is Record<string, unknown> {
  return isMapping(value) && ('kind' in value || 'apiVersion' in value);
}

/** A document that is a ConfigMap manifest or a bare legacy configuration. */
export function parseLegacyDocument(
  doc: YamlDoc,
  value: unknown,
  text: string,
  problems: Problems,
): Config | undefined {
  if (!isManifest(value)) return parseLegacy(value, problems);
  const embedded = readConfigMapData(value, problems);
  if (embedded === undefined) return undefined;
  const inner = readYaml(embedded, problems, embeddedPositions(doc.doc, text, doc));
  if (!inner) return undefined;
  const found = nonEmpty(inner);
  if (found.length > 1) {
    problems.add('data.config', 'must hold a single YAML document');
    return undefined;
  }
  return parseLegacy(found[0]?.value ?? null, problems);
}

const CONFIGMAP_FIELDS = ['apiVersion', 'kind', 'metadata', 'data', 'binaryData', 'immutable'];

/** The text of data.config, or undefined after reporting why there is none. */
export function readConfigMapData(manifest: Record<string, unknown>, problems: Problems): string | undefined {
  const before = problems.count;
  const f = new Fields(problems, '', manifest, { known: CONFIGMAP_FIELDS });
  const kind = f.string('kind', { required: true });
  if (kind !== undefined && kind !== 'ConfigMap') {
    problems.add(
      'kind',
      `expected a ConfigMap holding MetalLB's legacy configuration (got kind ${kind}); metallb.io objects are read with parseCrds or "ferrolb config check"`,
    );
  }
  const apiVersion = f.string('apiVersion', { required: true });
  if (apiVersion !== undefined && apiVersion !== 'v1')
    problems.add('apiVersion', `a ConfigMap has apiVersion v1 (got ${apiVersion})`);
  if (problems.count > before) return undefined;
  if (!f.require('data')) return undefined;
  const data = f.value.data;
  if (!isMapping(data)) {
    problems.add('data', `must be a mapping (got ${describe(data)})`);
    return undefined;
  }
  for (const key of Object.keys(data)) {
    if (key !== 'config')
      problems.add(
        join('data', key),
        `unknown key "${key}": MetalLB reads only data.config${didYouMean(key, ['config'])}`,
      );
  }
  if (!('config' in data)) {
    problems.add('data.config', 'missing: the legacy MetalLB configuration lives in data.config');
    return undefined;
  }
  const config = data.config;
  if (config === null || config === undefined) return '';
  if (typeof config !== 'string') {
    problems.add(
      'data.config',
      `must be a string holding YAML, e.g. "config: |" followed by the configuration (got ${describe(config)})`,
    );
    return undefined;
  }
  return problems.count > before ? undefined : config;
}

/** Positions inside a `config: |` literal block → positions in the outer file. */
function embeddedPositions(doc: Document, text: string, yamlDoc: YamlDoc): PositionMap {
  const node = doc.getIn(['data', 'config'], true);
  const fallback: PositionMap = (line, col) => ({ line, col, prefix: 'data.config:' });
  if (doc.contents === null || !yaml().isScalar(node) || node.type !== 'BLOCK_LITERAL' || !node.range) return fallback;
  const headerLine = yamlDoc.lineCounter.linePos(node.range[0]).line;
  const lines = text.split('\n');
  let indent = 0;
  for (let l = headerLine; l < lines.length; l++) {
    const content = lines[l]!;
    if (content.trim() === '') continue;
    indent = content.length - content.trimStart().length;
    break;
  }
  return (line, col) => ({ line: headerLine + line, col: col + indent, prefix: '' });
}
