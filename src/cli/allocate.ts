// `ferrolb allocate --config CONFIG.yaml --services SERVICES.yaml [--lb-class NAME]`
// Allocates offline, as the controller would: Services that already carry IPs in
// status.loadBalancer.ingress keep them (restored first, like a controller restart), then the others are
// assigned in file order. One line per Service, in file order:
//   ns/name  192.0.2.10,2001:db8::a  pool=pool-a
//   ns/name  error: <reason>            (exit code 1 if any)
//   ns/name  skipped: <reason>
import { Allocator } from '../allocator/index.ts';
import type { AllocationRequest, AllocationResult } from '../allocator/types.ts';
import { parseFiles } from '../config/index.ts';
import { formatProblem } from '../config/model.ts';
import { Problems } from '../config/problems.ts';
import { readYaml } from '../config/yaml-docs.ts';
import { serviceToRequest } from '../k8s/service-request.ts';
import { parseCommandLine, usageFailure, UsageError } from './flags.ts';
import type { CliIo } from './io.ts';
import { readFiles, type NamedText } from './read-files.ts';

interface KubeObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  items?: unknown[];
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

/** Flattens multi-document YAML and `kind: List` into objects; YAML errors located as config check does. */
export function readObjects(file: NamedText): { objects: KubeObject[]; errors: string[] } {
  const objects: KubeObject[] = [];
  const problems = new Problems(file.name);
  const push = (o: unknown, path: string): void => {
    if (o === null || o === undefined) return;
    if (typeof o !== 'object' || Array.isArray(o)) {
      problems.add(path, 'expected a Kubernetes object');
      return;
    }
    const obj = o as KubeObject;
    if (obj.kind?.endsWith('List') && Array.isArray(obj.items))
      obj.items.forEach((item, i) => push(item, `${path}.items[${i}]`));
    else objects.push(obj);
  };
  readYaml(file.text, problems)?.forEach((doc, i) => push(doc.value, `document ${i + 1}`));
  return { objects, errors: problems.list.map(formatProblem) };
}

export const ALLOCATE_USAGE = `usage: ferrolb allocate --config FILE... --services FILE... [--lb-class NAME]
  Allocates IPs offline, as the controller would: Services already holding IPs in their status keep them
  (restored first), then the others get addresses in file order. One line per Service on stdout.
  --config FILE      address-pool ConfigMap or metallb.io YAML (repeatable)
  --services FILE    Services (multi-document YAML or a List; repeatable)
  --lb-class NAME    handle Services with spec.loadBalancerClass NAME (default: only those without)
  -h, --help         this text
`;

export async function allocateCommand(args: string[], io: CliIo): Promise<number> {
  let opts;
  try {
    opts = parseCommandLine(args, {
      config: { type: 'string', multiple: true },
      services: { type: 'string', multiple: true },
      'lb-class': { type: 'string' },
    }).values;
    if (opts.help) {
      io.stdout(ALLOCATE_USAGE);
      return 0;
    }
    if (!opts.config?.length || !opts.services?.length) throw new UsageError('needs --config FILE and --services FILE');
  } catch (err) {
    return usageFailure(io, 'allocate', err, ALLOCATE_USAGE);
  }
  const cfgRead = await readFiles(opts.config);
  const svcRead = await readFiles(opts.services);
  const readErrors = [...cfgRead.errors, ...svcRead.errors];
  if (readErrors.length > 0) {
    io.stderr(readErrors.map((e) => `${e}\n`).join(''));
    return 1;
  }
  const parsed = parseFiles(cfgRead.files);
  if (!parsed.ok) {
    io.stderr(parsed.problems.map((p) => `${formatProblem(p)}\n`).join(''));
    return 1;
  }
  const objects: KubeObject[] = [];
  const yamlErrors: string[] = [];
  for (const f of svcRead.files) {
    const r = readObjects(f);
    objects.push(...r.objects);
    yamlErrors.push(...r.errors);
  }
  if (yamlErrors.length > 0) {
    io.stderr(yamlErrors.map((e) => `${e}\n`).join(''));
    return 1;
  }

  const namespaceLabels = new Map<string, Record<string, string>>();
  for (const o of objects) {
    if (o.kind === 'Namespace' && o.metadata?.name) namespaceLabels.set(o.metadata.name, o.metadata.labels ?? {});
  }
  const allocator = new Allocator();
  allocator.setPools(parsed.config.pools);

  type Row = { key: string; line?: string; request?: AllocationRequest; statusIps: string[] };
  const rows: Row[] = [];
  for (const o of objects) {
    if (o.kind !== 'Service') continue;
    const ns = o.metadata?.namespace ?? 'default';
    const key = `${ns}/${o.metadata?.name ?? '<unnamed>'}`;
    const r = serviceToRequest(o, { lbClass: opts['lb-class'], namespaceLabels: namespaceLabels.get(ns) ?? {} });
    const statusIps = (o.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : []));
    if (r.kind === 'skip') rows.push({ key, line: `skipped: ${r.reason}`, statusIps });
    else if (r.kind === 'error') rows.push({ key, line: `error: ${r.message}`, statusIps });
    else rows.push({ key, request: r.request, statusIps });
  }

  const results = new Map<Row, AllocationResult>();
  // Pass 1: keep what Services already hold, as a restarted controller does.
  for (const row of rows) {
    if (!row.request || row.statusIps.length === 0) continue;
    const restored = allocator.restore(row.request, row.statusIps);
    if (restored.ok) results.set(row, restored);
  }
  // Pass 2: everything else, in file order.
  for (const row of rows) {
    if (row.request && !results.has(row)) results.set(row, allocator.assign(row.request));
  }

  let failed = false;
  for (const row of rows) {
    const res = results.get(row);
    let line = row.line ?? '';
    if (res?.ok) line = `${res.assignment.ips.join(',')}  pool=${res.assignment.pool}`;
    else if (res) line = `error: ${res.error.message}`;
    if (line.startsWith('error:')) failed = true;
    io.stdout(`${row.key}  ${line}\n`);
  }
  return failed ? 1 : 0;
}
