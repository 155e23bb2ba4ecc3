// `ferrolb ipvs`: sync IPVS, the KUBE-LOAD-BALANCER* ipsets and the dummy interface from a desired-state
// file (Services with status.loadBalancer.ingress + their EndpointSlices, YAML or JSON) and print what
// changed. See USAGE below and the README's "IPVS" section.
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { createLogger, fdDestination } from '../log/index.ts';
import {
  IpvsSyncer,
  defaultIpvsConfig,
  desiredFromKube,
  parseScheduler,
  type DesiredInput,
  type SyncResult,
} from '../ipvs/index.ts';
import { systemClock } from '../time/index.ts';
import { readObjects } from './allocate.ts';
import type { CliIo } from './io.ts';
import { readFiles } from './read-files.ts';
import { syncFromCluster } from './ipvs-cluster.ts';

const d = defaultIpvsConfig();
export const USAGE = `usage: ferrolb ipvs --file FILE [--file FILE...] [options]
       ferrolb ipvs --kubeconfig PATH | --cluster [options]

Makes this node's IPVS virtual servers, KUBE-LOAD-BALANCER* ipsets and dummy-interface addresses match the
LoadBalancer Services and EndpointSlices in FILE (YAML, several documents or a List, or JSON) or in a live
cluster, changing only what differs, and prints one line per change. Needs root, ipvsadm, ipset, iproute2
(and iptables for the firewall); a dry run with --assume-empty needs none of them.

options:
  -f, --file FILE          desired state (repeatable)
  --kubeconfig PATH        desired state from the cluster this kubeconfig names: list + watch Services and
                           EndpointSlices, sync after every change (debounced) until SIGTERM/SIGINT
  --cluster                the same with the in-cluster ServiceAccount, else $KUBECONFIG, else ~/.kube/config
  --debounce MS            cluster mode: wait this long after a change for more before syncing (default 200)
  --once                   cluster mode: exit after the first sync
  --node-name NAME         this node (endpoints with this nodeName are local; default: the hostname)
  --node-ip ADDR           this node's address (repeatable; for loadBalancerSourceRanges' SOURCE-IP rule)
  --interface NAME         dummy interface for the LB IPs (default ${d.interface})
  --scheduler NAME         default IPVS scheduler: rr wrr lc wlc lblc lblcr dh sh sed nq mh (default ${d.defaultScheduler};
                           a Service's ferrolb.io/ipvs-scheduler or kube-router.io/service.scheduler annotation wins)
  --drain-timeout SECONDS  delete a draining real server after this long even with connections (default ${d.drainTimeoutMs / 1000})
  --dry-run                read the kernel and print the changes without making them (in cluster mode,
                           every later sync prints what changed since the previous one)
  --assume-empty           with --dry-run: plan against an empty kernel (reads nothing; no IPVS needed)
  --watch                  keep running: finish drains, resync every ${d.resyncMs / 1000} s, re-read FILE on SIGHUP;
                           SIGTERM/SIGINT stop (the kernel state stays as it is)
  --wait-drain             after the sync, keep running until no real server drains, then exit
  --disable                kube-proxy runs in IPVS mode on this node: change nothing, say so, exit 0
  --no-firewall            do not install the loadBalancerSourceRanges rules
  --no-masquerade          do not install the masquerade rules (externalTrafficPolicy: Cluster)
  --no-sysctls             do not set arp_ignore/arp_announce and the IPVS sysctls
  --log-level LEVEL        level of the structured logs on stderr (default warn)
  -h, --help               this text

output: one line per change (create-set, add-address, add-service, edit-service, add-real, drain-real,
edit-real, del-real, del-service, add-member, del-member, del-address), then
  synced changes=N draining=M     (or "dry run: changes=N")
Problems in FILE go to stderr as "ferrolb ipvs: <object>: <message>"; exit 0 on success, 1 when a file
cannot be read or the kernel refused a change, 2 on bad usage.
`;

function jsonObjects(text: string): unknown[] | undefined {
  const t = text.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return undefined;
  }
  const flat = (o: unknown): unknown[] => {
    if (Array.isArray(o)) return o.flatMap(flat);
    const obj = o as { kind?: unknown; items?: unknown };
    if (
      typeof obj === 'object' &&
      obj !== null &&
      typeof obj.kind === 'string' &&
      obj.kind.endsWith('List') &&
      Array.isArray(obj.items)
    ) {
      return obj.items.flatMap(flat);
    }
    return [o];
  };
  return flat(v);
}

export async function ipvsCommand(args: string[], io: CliIo): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args,
      options: {
        file: { type: 'string', short: 'f', multiple: true },
        'node-name': { type: 'string' },
        'node-ip': { type: 'string', multiple: true },
        interface: { type: 'string' },
        scheduler: { type: 'string' },
        'drain-timeout': { type: 'string' },
        'dry-run': { type: 'boolean' },
        'assume-empty': { type: 'boolean' },
        kubeconfig: { type: 'string' },
        cluster: { type: 'boolean' },
        debounce: { type: 'string' },
        once: { type: 'boolean' },
        watch: { type: 'boolean' },
        'wait-drain': { type: 'boolean' },
        disable: { type: 'boolean' },
        'no-firewall': { type: 'boolean' },
        'no-masquerade': { type: 'boolean' },
        'no-sysctls': { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    io.stderr(`ferrolb ipvs: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (v.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (v.disable) {
    io.stdout('disabled: kube-proxy runs in IPVS mode on this node; nothing changed\n');
    return 0;
  }
  const fromCluster = v.kubeconfig !== undefined || v.cluster === true;
  if (fromCluster === Boolean(v.file?.length)) {
    io.stderr(`ferrolb ipvs: give either --file or --kubeconfig/--cluster\n${USAGE}`);
    return 2;
  }
  if (v['assume-empty'] && !v['dry-run']) {
    io.stderr('ferrolb ipvs: --assume-empty is only for --dry-run\n');
    return 2;
  }
  const debounceMs = v.debounce === undefined ? 200 : Number(v.debounce);
  if (!Number.isInteger(debounceMs) || debounceMs < 0 || debounceMs > 60_000) {
    io.stderr(`ferrolb ipvs: --debounce: "${v.debounce}" is not 0..60000 milliseconds\n`);
    return 2;
  }
  const sched = parseScheduler(v.scheduler ?? d.defaultScheduler);
  if (typeof sched !== 'string') {
    io.stderr(`ferrolb ipvs: --scheduler: ${sched.error}\n`);
    return 2;
  }
  const drainS = v['drain-timeout'] === undefined ? d.drainTimeoutMs / 1000 : Number(v['drain-timeout']);
  if (!Number.isFinite(drainS) || drainS < 0) {
    io.stderr(`ferrolb ipvs: --drain-timeout: "${v['drain-timeout']}" is not a number of seconds\n`);
    return 2;
  }
  const files = v.file ?? [];
  const load = async (): Promise<DesiredInput | undefined> => {
    const read = await readFiles(files);
    if (read.errors.length > 0) {
      io.stderr(read.errors.map((e) => `ferrolb ipvs: ${e}\n`).join(''));
      return undefined;
    }
    const objects: unknown[] = [];
    let bad = false;
    for (const f of read.files) {
      // JSON (what generators write) is parsed directly; YAML and broken JSON go through the YAML reader,
      // which locates errors by line and column.
      const json = jsonObjects(f.text);
      if (json) {
        objects.push(...json);
        continue;
      }
      const r = readObjects(f);
      for (const e of r.errors) io.stderr(`ferrolb ipvs: ${e}\n`);
      bad ||= r.errors.length > 0;
      objects.push(...r.objects);
    }
    if (bad) return undefined;
    const k = desiredFromKube(objects);
    for (const p of k.problems) io.stderr(`ferrolb ipvs: ${p.object}: ${p.message}\n`);
    return k.input;
  };
  const first = fromCluster ? undefined : await load();
  if (!fromCluster && !first) return 1;
  const logger = createLogger({ level: v['log-level'] ?? 'warn' }, fdDestination(2));
  const dryRun = v['dry-run'] ?? false;
  const summary = (r: SyncResult): string =>
    dryRun
      ? `dry run: changes=${r.changes.length}\n`
      : `synced changes=${r.changes.length} draining=${r.plan?.draining.size ?? 0}\n`;
  // Every sync that changed something or failed is reported as it happens (also the syncer's own: drain
  // polls, resyncs, retries); a sync this command asked for is reported even when it changed nothing.
  const report = (r: SyncResult): void => {
    for (const p of r.problems) io.stderr(`ferrolb ipvs: Service ${p.service}: ${p.message}\n`);
    for (const p of r.kernelProblems) io.stderr(`ferrolb ipvs: kernel state: ${p}\n`);
    if (r.error) io.stderr(`ferrolb ipvs: sync failed: ${r.error}\n`);
    else if (!r.skipped) io.stdout(r.changes.map((c) => `${c}\n`).join('') + summary(r));
  };
  const asked = (r: SyncResult): boolean => {
    if (!r.error && r.changes.length === 0) report(r); // not reported by onSynced
    return !r.error;
  };
  const syncer = new IpvsSyncer(
    { clock: systemClock, logger, onSynced: (r) => void ((r.changes.length > 0 || r.error) && report(r)) },
    {
      interface: v.interface ?? d.interface,
      nodeName: v['node-name'] ?? hostname(),
      nodeIPs: v['node-ip'] ?? [],
      defaultScheduler: sched,
      drainTimeoutMs: drainS * 1000,
      dryRun,
      assumeEmpty: v['assume-empty'] ?? false,
      firewall: !v['no-firewall'],
      masquerade: !v['no-masquerade'],
      sysctls: !v['no-sysctls'],
    },
  );
  if (fromCluster) {
    return syncFromCluster({ kubeconfig: v.kubeconfig, debounceMs, once: v.once ?? false }, syncer, io, logger, asked);
  }
  const ok = asked(await syncer.sync(first!));
  if (v['dry-run'] || (!v.watch && !v['wait-drain'])) {
    await syncer.stop();
    return ok ? 0 : 1;
  }
  // Long-running modes: the syncer's own timers poll drains and resync; report each sync that changed something.
  return await new Promise<number>((resolve) => {
    let done = false;
    const finish = (code: number): void => {
      if (done) return;
      done = true;
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
      process.off('SIGHUP', onHup);
      clearInterval(poll);
      void syncer.stop().then(() => resolve(code));
    };
    const onStop = (): void => finish(0);
    const onHup = (): void => {
      void load().then((next) => {
        if (next) void syncer.sync(next);
      });
    };
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    process.on('SIGHUP', onHup);
    // --wait-drain: the syncer polls the kernel itself; check here when draining has finished.
    const poll = setInterval(() => {
      if (v['wait-drain'] && !v.watch && syncer.draining.size === 0) finish(ok ? 0 : 1);
    }, 200);
  });
}
