// `ferrolb status [--kubeconfig PATH] [--namespace NS] [--lb-class NAME] [--output table|json]`
// Per LoadBalancer Service handled by this installation: its IPs, pool (the controller's annotation),
// mode, the announcing node (Layer 2) or nodes and their peers (BGP), read from the cluster (Services and
// the speakers' ServiceL2Status / ServiceBGPStatus objects). A Service nobody announces says so.
import { parseArgs } from 'node:util';
import type { CliIo } from './io.ts';

export const STATUS_USAGE = `usage: ferrolb status [flags]
  --kubeconfig PATH     kubeconfig (default: in-cluster, then $KUBECONFIG / ~/.kube/config)
  --namespace NS        the speakers' namespace, where the status objects live (default ferrolb-system)
  --lb-class NAME       Services with spec.loadBalancerClass NAME (default: only those without a class)
  -o, --output FORMAT   table (default) or json
  -h, --help            this text
`;

interface ServiceLike {
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { type?: string; loadBalancerClass?: string | null };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

interface StatusLike {
  status?: {
    node?: string;
    serviceName?: string;
    serviceNamespace?: string;
    interfaces?: { name?: string }[];
    peers?: string[];
  };
}

export interface ServiceStatusRow {
  service: string;
  ips: string[];
  pool: string;
  mode: 'layer2' | 'bgp' | 'layer2+bgp' | 'none';
  /** Layer 2: the announcing node(s) — more than one only during a partition or a handover. */
  layer2: { node: string; interfaces: string[] }[];
  bgp: { node: string; peers: string[] }[];
}

const POOL_ANNOTATIONS = ['metallb.io/ip-allocated-from-pool', 'metallb.universe.tf/ip-allocated-from-pool'];

export function statusRows(
  services: readonly ServiceLike[],
  l2: readonly StatusLike[],
  bgp: readonly StatusLike[],
  lbClass: string | undefined,
): ServiceStatusRow[] {
  const by = (list: readonly StatusLike[]): Map<string, StatusLike[]> => {
    const m = new Map<string, StatusLike[]>();
    for (const s of list) {
      const k = `${s.status?.serviceNamespace ?? ''}/${s.status?.serviceName ?? ''}`;
      m.set(k, [...(m.get(k) ?? []), s]);
    }
    return m;
  };
  const l2By = by(l2);
  const bgpBy = by(bgp);
  const rows: ServiceStatusRow[] = [];
  for (const svc of services) {
    if (svc.spec?.type !== 'LoadBalancer' || (svc.spec.loadBalancerClass ?? undefined) !== lbClass) continue;
    const key = `${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name ?? ''}`;
    const ann = svc.metadata?.annotations ?? {};
    const layer2 = (l2By.get(key) ?? [])
      .map((s) => ({ node: s.status?.node ?? '?', interfaces: (s.status?.interfaces ?? []).map((i) => i.name ?? '?') }))
      .sort((a, b) => a.node.localeCompare(b.node));
    const bgpRows = (bgpBy.get(key) ?? [])
      .map((s) => ({ node: s.status?.node ?? '?', peers: [...(s.status?.peers ?? [])].sort() }))
      .sort((a, b) => a.node.localeCompare(b.node));
    rows.push({
      service: key,
      ips: (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : [])),
      pool: POOL_ANNOTATIONS.map((a) => ann[a]).find((v) => v !== undefined) ?? '-',
      mode:
        layer2.length > 0 && bgpRows.length > 0
          ? 'layer2+bgp'
          : layer2.length > 0
            ? 'layer2'
            : bgpRows.length > 0
              ? 'bgp'
              : 'none',
      layer2,
      bgp: bgpRows,
    });
  }
  return rows.sort((a, b) => a.service.localeCompare(b.service));
}

export function formatStatusTable(rows: readonly ServiceStatusRow[]): string {
  const table = [['SERVICE', 'IPS', 'POOL', 'MODE', 'ANNOUNCED BY']];
  for (const r of rows) {
    const by: string[] = [];
    if (r.layer2.length > 0) {
      by.push(
        r.layer2.map((x) => `${x.node}${x.interfaces.length ? ` (${x.interfaces.join(',')})` : ''}`).join(', ') +
          (r.layer2.length > 1 ? ' [more than one owner]' : ''),
      );
    }
    for (const b of r.bgp) by.push(`${b.node} -> ${b.peers.length ? b.peers.join(',') : 'no peer'}`);
    table.push([
      r.service,
      r.ips.join(',') || '<pending>',
      r.pool,
      r.mode,
      by.join('; ') || (r.ips.length ? 'nobody (no eligible node or no endpoint)' : '-'),
    ]);
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return (
    table.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') +
    '\n'
  );
}

export async function statusCommand(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        kubeconfig: { type: 'string' },
        namespace: { type: 'string', default: 'ferrolb-system' },
        'lb-class': { type: 'string' },
        output: { type: 'string', short: 'o', default: 'table' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    io.stderr(`ferrolb status: ${(err as Error).message}\n${STATUS_USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(STATUS_USAGE);
    return 0;
  }
  if (values.output !== 'table' && values.output !== 'json') {
    io.stderr(`ferrolb status: --output "${values.output}" is not table or json\n`);
    return 2;
  }
  const { loadKubeConfig, makeClients } = await import('../k8s/kube-client.ts');
  const { errorText } = await import('../k8s/informer.ts');
  try {
    const c = makeClients(loadKubeConfig(values.kubeconfig));
    const ns = values.namespace as string;
    const list = async (plural: string): Promise<StatusLike[]> =>
      (
        (await c.custom.listNamespacedCustomObject({
          group: 'metallb.io',
          version: 'v1beta1',
          namespace: ns,
          plural,
        })) as { items: StatusLike[] }
      ).items;
    const [services, l2, bgp] = await Promise.all([
      c.core.listServiceForAllNamespaces(),
      list('servicel2statuses'),
      list('servicebgpstatuses'),
    ]);
    const rows = statusRows(services.items as ServiceLike[], l2, bgp, values['lb-class']);
    io.stdout(values.output === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : formatStatusTable(rows));
    return 0;
  } catch (err) {
    io.stderr(`ferrolb status: ${errorText(err)}\n`);
    return 1;
  }
}
