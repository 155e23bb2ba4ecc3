// Runs INSIDE the test VM (real IPVS + ipset kernel, the API server on the host at VM_HOST_IP): starts the
// real speaker (speaker/main.ts) as this VM's node, drives Services and EndpointSlices through the API, and
// records what `ipvsadm -Sn`, `ipset save` and the dummy interface show after each step: create, endpoint
// change, a Service of another loadBalancerClass and one without an ingress IP (both ignored), delete,
// SIGTERM (the kernel state stays), restart (nothing changes). Writes report.json to the share; the
// vitest file on the host (ipvs-vm.test.ts) asserts on it. Every failure is recorded, never thrown away.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  emptyKernelState,
  mustRun,
  parseIpAddr,
  parseIpsetSave,
  parseIpvsadmSave,
  spawnRunner,
} from '../../../src/ipvs/index.ts';
import { loadKubeTarget } from '../../../src/k8s/kubeconfig.ts';
import { KubeRest } from '../../../src/k8s/rest.ts';
import {
  SPEAKER_NODE_OPTIONS,
  speakerV8Flags,
  startSpeakerChild,
  type SpeakerChild,
} from '../../../src/lab/speaker-child.ts';
import { GUEST_NODE_FLAGS } from '../../../src/lab/vm.ts';

const SHARE = process.env.FERROLB_VM_SHARE!;
const NODE = process.env.FS_NODE ?? 'fs-vm-node';
/** The speaker bundle the host built (ipvs-vm.test.ts): the guest has no esbuild run of its own. */
const SPEAKER_ENTRY = process.env.FS_SPEAKER_ENTRY ?? '';
if (SPEAKER_ENTRY === '') throw new Error('FS_SPEAKER_ENTRY (the speaker bundle built on the host) is not set');
const NS = 'fsipvs';
const IFACE = 'kube-ipvs0';
const METRICS_PORT = 7473;

export interface Snapshot {
  /** `proto address:port scheduler -> real:port@weight, ...` per virtual server, sorted. */
  virtualServers: string[];
  /** Addresses on the dummy interface. */
  addresses: string[];
  /** `set: entry` for the KUBE-LOAD-BALANCER* sets. */
  members: string[];
}

export interface GuestStep {
  step: string;
  ok: boolean;
  snapshot: Snapshot;
  /** Seconds from the API write to the kernel matching (or to giving up). */
  seconds: number;
  note?: string;
}

export interface GuestReport {
  steps: GuestStep[];
  checks: Record<string, unknown>;
  errors: string[];
}

const report: GuestReport = { steps: [], checks: {}, errors: [] };
const save = (): void => writeFileSync(join(SHARE, 'report.json'), JSON.stringify(report, null, 1));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sh = (cmd: string, args: string[]): Promise<string> => mustRun(spawnRunner, cmd, args);
const T0 = Date.now();
const log = (msg: string): void => console.log(`[${((Date.now() - T0) / 1000).toFixed(1)} s] ${msg}`);

async function snapshot(): Promise<Snapshot> {
  const s = emptyKernelState();
  const link = await spawnRunner.run('ip', ['-o', 'addr', 'show', 'dev', IFACE]);
  s.addresses = parseIpAddr(link.code === 0 ? link.stdout : '', true);
  s.services = parseIpvsadmSave(await sh('ipvsadm', ['-Sn'])).services;
  s.sets = parseIpsetSave(await sh('ipset', ['save'])).sets;
  const virtualServers = [...s.services.values()]
    .map((v) => {
      const reals = [...v.reals.values()].map((r) => `${r.address}:${r.port}@${r.weight}`).sort();
      return `${v.vs.protocol} ${v.vs.address}:${v.vs.port} ${v.vs.scheduler} -> ${reals.join(', ')}`;
    })
    .sort();
  const members = [...s.sets.entries()].flatMap(([name, set]) => [...set.entries].map((e) => `${name}: ${e}`)).sort();
  return { virtualServers, addresses: [...s.addresses.keys()].sort(), members };
}

/** Polls the kernel until `want` holds (bounded), records the step either way. */
async function expectKernel(step: string, want: (s: Snapshot) => boolean, since: number, timeoutMs = 90_000) {
  let s = await snapshot();
  const end = Date.now() + timeoutMs;
  while (!want(s) && Date.now() < end) {
    if (speaker?.exited()) break;
    await sleep(500);
    s = await snapshot();
  }
  const ok = want(s);
  const r: GuestStep = { step, ok, snapshot: s, seconds: (Date.now() - since) / 1000 };
  if (!ok) {
    report.errors.push(`step ${step}: the kernel did not reach the expected state: ${JSON.stringify(s)}`);
    if (speaker) r.note = speaker.logTail(30);
  }
  report.steps.push(r);
  save();
  log(
    `step ${step}: ${ok ? 'ok' : 'FAILED'} in ${r.seconds.toFixed(1)} s: ${s.virtualServers.join(' | ') || '(no VS)'}`,
  );
  return ok;
}

/** Waits `ms` and records that the kernel still matches `want` (for "nothing happens" steps). */
async function staysKernel(step: string, want: (s: Snapshot) => boolean, ms: number): Promise<void> {
  const since = Date.now();
  const end = since + ms;
  let s = await snapshot();
  while (want(s) && Date.now() < end) {
    await sleep(1000);
    s = await snapshot();
  }
  const ok = want(s);
  if (!ok) report.errors.push(`step ${step}: the kernel changed: ${JSON.stringify(s)}`);
  report.steps.push({ step, ok, snapshot: s, seconds: (Date.now() - since) / 1000 });
  save();
  log(`step ${step}: ${ok ? 'ok' : 'FAILED'}`);
}

const rest = new KubeRest(loadKubeTarget(join(SHARE, 'admin.kubeconfig')), { now: () => performance.now() });
const svcPath = (name = '') => `/api/v1/namespaces/${NS}/services${name ? `/${name}` : ''}`;
const slicePath = (name = '') => `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices${name ? `/${name}` : ''}`;

type Obj = { metadata?: { resourceVersion?: string } } & Record<string, unknown>;

async function createService(name: string, ip: string | undefined, extra: Record<string, unknown> = {}) {
  const created = await rest.request<Obj>('POST', svcPath(), {
    body: {
      metadata: { name, namespace: NS },
      spec: {
        type: 'LoadBalancer',
        ports: [
          { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
          { name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' },
        ],
        ...extra,
      },
    },
  });
  if (ip === undefined) return;
  await rest.request('PUT', `${svcPath(name)}/status`, {
    body: { ...created, status: { loadBalancer: { ingress: [{ ip }] } } },
  });
}

async function setSlice(service: string, addresses: string[]): Promise<void> {
  const name = `${service}-fs`;
  const body = {
    metadata: { name, namespace: NS, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: addresses.map((a) => ({ addresses: [a], nodeName: NODE, conditions: { ready: true } })),
    ports: [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'dns', port: 5353, protocol: 'UDP' },
    ],
  };
  const old = await rest.request<Obj>('GET', slicePath(name)).catch(() => undefined);
  if (old)
    await rest.request('PUT', slicePath(name), {
      body: { ...body, metadata: { ...body.metadata, resourceVersion: old.metadata?.resourceVersion } },
    });
  else await rest.request('POST', slicePath(), { body });
}

async function metrics(): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`).catch(() => undefined);
  return r?.ok ? r.text() : '';
}
const metricValue = (text: string, line: RegExp): number | undefined => {
  const m = line.exec(text);
  return m ? Number(m[1]) : undefined;
};

const OK_SYNCS = /^ferrolb_ipvs_syncs_total\{result="ok"\} (\S+)$/m;

/** The speaker's metrics once its syncer counted a successful sync (or what they were at the deadline). */
async function okSynced(timeoutMs: number): Promise<string> {
  const end = Date.now() + timeoutMs;
  let m = await metrics();
  while ((metricValue(m, OK_SYNCS) ?? 0) < 1 && Date.now() < end && !speaker?.exited()) {
    await sleep(1000);
    m = await metrics();
  }
  return m;
}

let speaker: SpeakerChild | undefined;
function startSpeaker(): SpeakerChild {
  return startSpeakerChild({
    nodeName: NODE,
    kubeconfig: join(SHARE, 'speaker.kubeconfig'),
    logPath: join(SHARE, 'speaker.log'),
    metricsPort: METRICS_PORT,
    extraArgs: ['--membership', 'pods', '--log-level', 'debug'],
    // The DaemonSet's flags (manifests/07: V8 flags in the command, NODE_OPTIONS), so the RSS reported is
    // comparable, plus the guest's (V8 under TCG).
    nodeFlags: [...speakerV8Flags(), ...GUEST_NODE_FLAGS],
    entry: SPEAKER_ENTRY,
    env: { NODE_OPTIONS: SPEAKER_NODE_OPTIONS },
  });
}

/** Virtual servers of one IP, as in the snapshot. */
const vsOf = (s: Snapshot, ip: string): string[] =>
  s.virtualServers.filter((v) => v.split(' ')[1]?.startsWith(`${ip}:`));

async function main(): Promise<void> {
  const IP = '192.0.2.10';
  const KEPT = '192.0.2.20';
  await rest.request('POST', `/api/v1/namespaces`, { body: { metadata: { name: NS } } });
  await createService('web', IP);
  await setSlice('web', ['10.244.0.10', '10.244.1.10']);
  // Not ours: another loadBalancerClass, and a Service without an ingress IP yet.
  await createService('other', '192.0.2.30', { loadBalancerClass: 'example.com/other' });
  await setSlice('other', ['10.244.0.30']);
  await createService('pending', undefined);
  log('objects created; starting the speaker');

  let since = Date.now();
  speaker = startSpeaker();
  const want1 = [
    `TCP ${IP}:80 rr -> 10.244.0.10:8080@1, 10.244.1.10:8080@1`,
    `UDP ${IP}:53 rr -> 10.244.0.10:5353@1, 10.244.1.10:5353@1`,
  ];
  const same = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
  await expectKernel(
    'create',
    (s) =>
      same(vsOf(s, IP), want1) &&
      same(s.addresses, [IP]) &&
      s.members.includes(`KUBE-LOAD-BALANCER: ${IP},tcp:80`) &&
      s.members.includes(`KUBE-LOAD-BALANCER: ${IP},udp:53`),
    since,
    150_000,
  );
  report.checks.otherClassIgnored = (await snapshot()).virtualServers.every((v) => !v.includes('192.0.2.30'));
  // The kernel shows the changes before the sync ends (the firewall comes last): wait for it to count.
  const m1 = await okSynced(30_000);
  report.checks.availableMetric = metricValue(m1, /^ferrolb_speaker_ipvs_available (\S+)$/m);
  report.checks.okSyncs = metricValue(m1, OK_SYNCS);
  report.checks.speakerRssKib = speaker.rssKib();

  since = Date.now();
  await setSlice('web', ['10.244.0.10', '10.244.2.10']);
  await expectKernel(
    'endpoint-change',
    (s) =>
      same(vsOf(s, IP), [
        `TCP ${IP}:80 rr -> 10.244.0.10:8080@1, 10.244.2.10:8080@1`,
        `UDP ${IP}:53 rr -> 10.244.0.10:5353@1, 10.244.2.10:5353@1`,
      ]),
    since,
  );

  since = Date.now();
  await rest.request('DELETE', svcPath('web'));
  await rest.request('DELETE', slicePath('web-fs'));
  await expectKernel(
    'delete',
    (s) => vsOf(s, IP).length === 0 && !s.addresses.includes(IP) && !s.members.some((m) => m.includes(IP)),
    since,
  );

  since = Date.now();
  await createService('kept', KEPT);
  await setSlice('kept', ['10.244.3.10']);
  const wantKept = [`TCP ${KEPT}:80 rr -> 10.244.3.10:8080@1`, `UDP ${KEPT}:53 rr -> 10.244.3.10:5353@1`];
  const kept = (s: Snapshot) => same(vsOf(s, KEPT), wantKept) && same(s.addresses, [KEPT]);
  await expectKernel('create-again', kept, since);
  const before = JSON.stringify(await snapshot());

  speaker.kill('SIGTERM');
  report.checks.sigtermExit = await speaker.waitExit();
  const after = await snapshot();
  report.checks.stateKeptAfterSigterm = JSON.stringify(after) === before;
  report.steps.push({ step: 'after-sigterm', ok: kept(after), snapshot: after, seconds: 0 });
  log(`SIGTERM: ${String(report.checks.sigtermExit)}, state kept: ${String(report.checks.stateKeptAfterSigterm)}`);

  speaker = startSpeaker();
  // The restarted speaker syncs once (informers listed) and finds nothing to change.
  const m2 = await okSynced(120_000);
  report.checks.restartOkSyncs = metricValue(m2, OK_SYNCS);
  report.checks.restartChanges = [...m2.matchAll(/^ferrolb_ipvs_changes_total\{kind="[^"]+"\} (\S+)$/gm)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
  await staysKernel('after-restart', kept, 3000);
  speaker.kill('SIGTERM');
  report.checks.secondSigtermExit = await speaker.waitExit();
  report.checks.speakerLogErrors = speaker
    .logTail(100_000)
    .split('\n')
    .filter((l) => /"level":(50|60)/.test(l)).length;
}

try {
  await main();
} catch (err) {
  report.errors.push(`guest driver: ${(err as Error).stack ?? String(err)}`);
  if (speaker) report.errors.push(`speaker log tail:\n${speaker.logTail(40)}`);
} finally {
  speaker?.kill('SIGKILL');
  save();
  rest.close();
  log(`done: ${report.errors.length} errors`);
}
