// The common part of every metallb.io object: apiVersion, kind, metadata; the spec is read per kind.
import { dnsSubdomainProblem } from './names.ts';
import { join, type Problems } from './problems.ts';
import { Fields, describe, isMapping } from './reader.ts';
import { labelKeyProblem, labelValueProblem } from './selector-parse.ts';
import { didYouMean } from './suggest.ts';

export const GROUP = 'metallb.io';

/** Kinds FerroLB reads and the versions accepted for each. */
export const CRD_VERSIONS = {
  IPAddressPool: ['v1beta1'],
  L2Advertisement: ['v1beta1'],
  BGPAdvertisement: ['v1beta1'],
  BGPPeer: ['v1beta1', 'v1beta2'],
  BFDProfile: ['v1beta1'],
  Community: ['v1beta1'],
} as const;

export type CrdKind = keyof typeof CRD_VERSIONS;
export const CRD_KINDS = Object.keys(CRD_VERSIONS) as CrdKind[];

/** metallb.io kinds FerroLB deliberately does not read, with what to do instead. */
export const OTHER_METALLB_KINDS: ReadonlyMap<string, string> = new Map([
  [
    'AddressPool',
    'AddressPool is deprecated in MetalLB and not read by FerroLB: use an IPAddressPool plus an L2Advertisement or BGPAdvertisement',
  ],
  [
    'ServiceL2Status',
    'ServiceL2Status is status written by MetalLB, not configuration; remove it from the configuration',
  ],
  [
    'ServiceBGPStatus',
    'ServiceBGPStatus is status written by MetalLB, not configuration; remove it from the configuration',
  ],
  [
    'ConfigurationState',
    'ConfigurationState is status written by MetalLB, not configuration; remove it from the configuration',
  ],
]);

export interface CrdObject {
  kind: CrdKind;
  version: string;
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  /** The object's spec (an empty mapping when absent). */
  spec: Record<string, unknown>;
  problems: Problems;
}

const TOP = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];

/** `Kind/namespace/name` (or `Kind/name`) read loosely, for locating problems before validation. */
export function defaultWhere(obj: unknown, unnamed = '<unnamed>'): string {
  const o = isMapping(obj) ? obj : {};
  const kind = typeof o.kind === 'string' && o.kind !== '' ? o.kind : 'object';
  const meta = isMapping(o.metadata) ? o.metadata : {};
  const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : unnamed;
  const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? `${meta.namespace}/` : '';
  return `${kind}/${ns}${name}`;
}

/** True when apiVersion's group is metallb.io. */
export function isMetallbObject(obj: unknown): boolean {
  return isMapping(obj) && typeof obj.apiVersion === 'string' && obj.apiVersion.startsWith(`${GROUP}/`);
}

/** Reads the envelope; undefined (after reporting) when the object cannot be read as a FerroLB kind. */
export function readEnvelope(obj: unknown, problems: Problems): CrdObject | undefined {
  if (!isMapping(obj)) {
    problems.add('(object)', `must be a Kubernetes object (got ${describe(obj)})`);
    return undefined;
  }
  const before = problems.count;
  const f = new Fields(problems, '', obj, { known: TOP });
  const apiVersion = f.string('apiVersion', { required: true });
  const kindText = f.string('kind', { required: true });
  if (apiVersion === undefined || kindText === undefined) return undefined;
  const kind = CRD_KINDS.find((k) => k === kindText);
  if (!kind) {
    const other = OTHER_METALLB_KINDS.get(kindText);
    problems.add('kind', other ?? `unknown ${GROUP} kind "${kindText}"${didYouMean(kindText, CRD_KINDS)}`);
    return undefined;
  }
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  const version = slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion;
  const versions: readonly string[] = CRD_VERSIONS[kind];
  if (group !== GROUP || !versions.includes(version)) {
    problems.add(
      'apiVersion',
      `${kind} needs apiVersion ${versions.map((v) => `${GROUP}/${v}`).join(' or ')} (got ${apiVersion})`,
    );
    return undefined;
  }
  // metadata: the API server adds many fields (uid, resourceVersion, managedFields, ...); read only ours.
  if (!f.require('metadata')) return undefined;
  const meta = obj.metadata;
  if (!isMapping(meta)) {
    problems.add('metadata', `must be a mapping (got ${describe(meta)})`);
    return undefined;
  }
  const m = new Fields(problems, 'metadata', meta, { known: Object.keys(meta) });
  const name = m.string('name', { required: true });
  const nameProblem = name === undefined ? undefined : dnsSubdomainProblem(name, 'metadata.name');
  if (nameProblem) problems.add('metadata.name', nameProblem);
  const namespace = m.string('namespace');
  const labels = m.stringMap('labels') ?? {};
  for (const [k, v] of Object.entries(labels)) {
    const p = labelKeyProblem(k) ?? labelValueProblem(v);
    if (p) problems.add(join('metadata.labels', k), p);
  }
  let spec: Record<string, unknown> = {};
  if (f.has('spec')) {
    if (!isMapping(obj.spec)) problems.add('spec', `must be a mapping (got ${describe(obj.spec)})`);
    else spec = obj.spec;
  }
  if (problems.count > before || name === undefined) return undefined;
  const out: CrdObject = { kind, version, name, labels, spec, problems };
  if (namespace !== undefined) out.namespace = namespace;
  return out;
}
