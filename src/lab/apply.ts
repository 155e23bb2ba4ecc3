// `apply`: multi-document YAML in, each object created or (if it exists) replaced, in document order.
// A CustomResourceDefinition is awaited until Established and served by discovery, so later documents
// (or later calls) can use its kind right away.
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { apiStatus, describeApiError } from './api-error.ts';
import { waitFor } from './poll.ts';

export interface ApplyOptions {
  /** Namespace for namespaced objects that name none (default: "default"). */
  namespace?: string;
  /** Bound for each CRD to become Established and discoverable (default 30 s). */
  crdTimeoutMs?: number;
}

/** KubernetesObjectApi with its discovery lookup made callable (it is protected upstream). */
class DiscoveringObjectApi extends KubernetesObjectApi {
  discover(apiVersion: string, kind: string) {
    return this.resource(apiVersion, kind);
  }
}

interface ObjectWithMeta extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: NonNullable<KubernetesObject['metadata']> & { name: string };
}

/** Parses multi-document YAML into objects; throws naming the document and the problem. */
export function parseManifests(yamlText: string): ObjectWithMeta[] {
  const objects: ObjectWithMeta[] = [];
  parseAllDocuments(yamlText).forEach((doc, i) => {
    const where = `document ${i + 1}`;
    if ('errors' in doc && doc.errors.length > 0) {
      throw new Error(`apply: ${where} is not valid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return; // empty document (e.g. trailing ---)
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`apply: ${where} is not a mapping`);
    const obj = value as Partial<ObjectWithMeta>;
    if (typeof obj.apiVersion !== 'string' || obj.apiVersion === '')
      throw new Error(`apply: ${where} has no apiVersion`);
    if (typeof obj.kind !== 'string' || obj.kind === '') throw new Error(`apply: ${where} has no kind`);
    if (typeof obj.metadata?.name !== 'string' || obj.metadata.name === '') {
      throw new Error(`apply: ${where} (${obj.kind}) has no metadata.name`);
    }
    objects.push(obj as ObjectWithMeta);
  });
  return objects;
}

const label = (o: ObjectWithMeta): string =>
  `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

export async function apply(kc: KubeConfig, yamlText: string, opts: ApplyOptions = {}): Promise<KubernetesObject[]> {
  const objects = parseManifests(yamlText);
  if (objects.length === 0) throw new Error('apply: the YAML holds no objects');
  const client = kc.makeApiClient(DiscoveringObjectApi);
  const applied: KubernetesObject[] = [];
  for (const obj of objects) {
    const resource = await client.discover(obj.apiVersion, obj.kind);
    if (!resource)
      throw new Error(`apply: the API server does not serve ${obj.apiVersion} ${obj.kind} (${label(obj)})`);
    if (resource.namespaced && !obj.metadata.namespace) obj.metadata.namespace = opts.namespace ?? 'default';
    applied.push(await createOrReplace(client, obj));
    if (obj.kind === 'CustomResourceDefinition' && obj.apiVersion.startsWith('apiextensions.k8s.io/')) {
      await waitForCrd(client, obj, opts.crdTimeoutMs ?? 30_000);
    }
  }
  return applied;
}

async function createOrReplace(client: DiscoveringObjectApi, obj: ObjectWithMeta): Promise<KubernetesObject> {
  try {
    return await client.create(obj);
  } catch (err) {
    if (apiStatus(err) !== 409) throw new Error(`apply: creating ${label(obj)} failed: ${describeApiError(err)}`);
  }
  try {
    const existing = await client.read({
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace },
    });
    const body: ObjectWithMeta = {
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: existing.metadata?.resourceVersion },
    };
    return await client.replace(body);
  } catch (err) {
    throw new Error(`apply: replacing ${label(obj)} failed: ${describeApiError(err)}`);
  }
}

interface CrdShape {
  spec?: { group?: string; names?: { kind?: string }; versions?: { name?: string; served?: boolean }[] };
  status?: { conditions?: { type?: string; status?: string; message?: string }[] };
}

async function waitForCrd(client: DiscoveringObjectApi, obj: ObjectWithMeta, timeoutMs: number): Promise<void> {
  const header = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata.name } };
  let last: CrdShape = {};
  await waitFor(
    async () => {
      last = (await client.read(header)) as CrdShape;
      return last.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true;
    },
    {
      what: `CRD ${obj.metadata.name} to become Established`,
      timeoutMs,
      diagnostics: () => JSON.stringify(last.status?.conditions ?? []),
    },
  );
  const spec = (obj as CrdShape).spec;
  const kind = spec?.names?.kind;
  if (!spec?.group || !kind) return;
  for (const v of spec.versions ?? []) {
    if (!v.name || v.served === false) continue;
    const apiVersion = `${spec.group}/${v.name}`;
    await waitFor(async () => (await client.discover(apiVersion, kind)) !== undefined, {
      what: `discovery to serve ${apiVersion} ${kind}`,
      timeoutMs,
    });
  }
}
