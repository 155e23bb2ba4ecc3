// The CLI's view: a set of files, each a ConfigMap manifest, a bare legacy configuration, or (multi-
// document) YAML with metallb.io objects — possibly as a `kind: List`, as `kubectl get -o yaml` prints.
// Objects of other API groups (Namespace, Secret, Deployment, ...) are skipped; unknown metallb.io kinds
// and near-misses ("metalb.io/v1beta1", "kind: IPAddressPool" under another group) are reported.
//
// Locations: a legacy configuration is located at `<file>` + path inside it (`address-pools[0].name`);
// a metallb.io object at `<file>:<Kind>/<namespace>/<name>` + path inside it (`spec.addresses[1]`);
// YAML syntax errors at `<file>` + `<line>:<column>`.
import { isManifest, parseLegacyDocument } from './configmap.ts';
import { buildFromCrds } from './crds.ts';
import { CRD_KINDS, GROUP, OTHER_METALLB_KINDS, defaultWhere, isMetallbObject } from './crd-envelope.ts';
import { resultOf } from './empty.ts';
import { TOP_LEVEL } from './legacy.ts';
import type { Config, ParseResult } from './model.ts';
import { Problems } from './problems.ts';
import { isMapping } from './reader.ts';
import { closest, levenshtein } from './suggest.ts';
import { type YamlDoc, nonEmpty, readYaml } from './yaml-docs.ts';

export interface ConfigFile {
  name: string;
  text: string;
}

interface Found {
  legacy: { where: string; config: Config | undefined }[];
  crds: { obj: unknown; problems: Problems }[];
}

export function parseFiles(files: readonly ConfigFile[]): ParseResult {
  const root = new Problems('');
  const found: Found = { legacy: [], crds: [] };
  for (const file of files) {
    const problems = root.at(file.name);
    const docs = readYaml(file.text, problems);
    if (!docs) continue;
    for (const doc of nonEmpty(docs)) classify(doc, doc.value, file, problems, found);
  }
  if (found.legacy.length > 0 && found.crds.length > 0) {
    const crdAt = found.crds[0]!.problems.where;
    root
      .at(found.legacy[0]!.where)
      .add(
        TOP_LEVEL,
        `use either the legacy ConfigMap or metallb.io objects, not both (metallb.io objects found at ${crdAt})`,
      );
    return resultOf(undefined, root);
  }
  if (found.legacy.length > 1) {
    root
      .at(found.legacy[1]!.where)
      .add(TOP_LEVEL, `a second legacy configuration (the first is in ${found.legacy[0]!.where}); use exactly one`);
    return resultOf(undefined, root);
  }
  if (found.crds.length > 0) return resultOf(buildFromCrds(found.crds, root), root);
  if (found.legacy.length === 1) return resultOf(found.legacy[0]!.config, root);
  if (root.count === 0) {
    root
      .at(files.map((f) => f.name).join(', ') || '(no files)')
      .add(
        TOP_LEVEL,
        'no configuration found: expected a MetalLB ConfigMap, a legacy configuration, or metallb.io objects',
      );
  }
  return resultOf(undefined, root);
}

const METALLB_KINDS: readonly string[] = [...CRD_KINDS, ...OTHER_METALLB_KINDS.keys()];

function classify(doc: YamlDoc, value: unknown, file: ConfigFile, problems: Problems, found: Found): void {
  if (!isManifest(value)) {
    found.legacy.push({ where: file.name, config: parseLegacyDocument(doc, value, file.text, problems) });
    return;
  }
  const kind = typeof value.kind === 'string' ? value.kind : '';
  const apiVersion = typeof value.apiVersion === 'string' ? value.apiVersion : '';
  const objectAt = problems.at(`${file.name}:${defaultWhere(value, `<unnamed, line ${doc.line}>`)}`);
  if (Array.isArray(value.items) && (kind === 'List' || kind.endsWith('List'))) {
    for (const item of value.items) classify(doc, item, file, problems, found);
    return;
  }
  if (isMetallbObject(value)) {
    found.crds.push({ obj: value, problems: objectAt });
    return;
  }
  if (kind === 'ConfigMap') {
    const data = isMapping(value.data) ? value.data : {};
    if ('config' in data) {
      found.legacy.push({ where: file.name, config: parseLegacyDocument(doc, value, file.text, problems) });
      return;
    }
    const near = closest('config', Object.keys(data));
    if (near !== undefined)
      objectAt.add(`data.${near}`, `unknown key "${near}" (did you mean "config"? MetalLB reads data.config)`);
    return;
  }
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (group !== '' && levenshtein(group, GROUP) <= 2) {
    objectAt.add('apiVersion', `unknown API group "${group}" (did you mean "${GROUP}"?)`);
    return;
  }
  if (METALLB_KINDS.includes(kind)) {
    objectAt.add(
      'apiVersion',
      `${kind} is a ${GROUP} kind: apiVersion must be ${GROUP}/v1beta1${kind === 'BGPPeer' ? ' or v1beta2' : ''} (got ${apiVersion || 'nothing'})`,
    );
  }
  // Any other object (Namespace, Secret, Deployment, ...) is not configuration: skipped.
}
