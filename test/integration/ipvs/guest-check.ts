// Runs INSIDE the test VM (as root, real IPVS/ipset kernel): programs 1,000 LB IPs, churns endpoints,
// checks traffic through a virtual server and loadBalancerSourceRanges, kills and restarts the syncer
// (the `ferrolb ipvs` CLI in a child process) mid-drain, and compares `ipvsadm -Sn` + `ipset save` +
// the interface's addresses with the desired state after every step. Writes report.json to the share;
// the vitest file on the host asserts on it. Never throws away a failure: every step is recorded.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureDesired, FIXTURE_NODE, toKubeObjects } from '../../../src/lab/ipvs-fixture.ts';
import { GUEST_NODE, REPO_ROOT } from '../../../src/lab/vm.ts';
import {
  IpvsSyncer,
  buildDesired,
  driftOf,
  emptyKernelState,
  mustRun,
  parseIpAddr,
  parseIpsetSave,
  parseIpvsadmSave,
  spawnRunner,
  type DesiredInput,
  type KernelState,
} from '../../../src/ipvs/index.ts';
import { systemClock } from '../../../src/time/index.ts';
import { netlinkChecks } from './guest-netlink.ts';

const SHARE = process.env.FERROLB_VM_SHARE!;
const N = Number(process.env.FIV_N ?? '1000');
const IFACE = 'fiv-ipvs0';
const NODE = FIXTURE_NODE;
const NODE_CTX = { nodeName: NODE, nodeIPs: [], defaultScheduler: 'rr' as const };
const [NODE_BIN, ...NODE_FLAGS] = GUEST_NODE as [string, ...string[]];

export interface StepReport {
  step: string;
  drift: string[];
  draining: number;
  virtualServers: number;
  addresses: number;
  members: number;
  changes?: number;
  /** Real servers the sync left draining (from its plan). */
  planDraining?: number;
  ms?: number;
  note?: string;
}

const T0 = Date.now();
const report: { steps: StepReport[]; checks: Record<string, unknown>; errors: string[] } = {
  steps: [],
  checks: {},
  errors: [],
};
const save = (): void => writeFileSync(join(SHARE, 'report.json'), JSON.stringify(report, null, 1));
const sh = (cmd: string, args: string[], stdin?: string): Promise<string> => mustRun(spawnRunner, cmd, args, stdin);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function observed(): Promise<KernelState> {
  const s = emptyKernelState();
  const [addr, ipvs, sets] = await Promise.all([
    sh('ip', ['-o', 'addr', 'show', 'dev', IFACE]),
    sh('ipvsadm', ['-Sn']),
    sh('ipset', ['save']),
  ]);
  s.addresses = parseIpAddr(addr, true);
  s.services = parseIpvsadmSave(ipvs).services;
  s.sets = parseIpsetSave(sets).sets;
  return s;
}

async function check(step: string, desired: DesiredInput, extra: Partial<StepReport> = {}): Promise<StepReport> {
  const want = buildDesired(desired, NODE_CTX).state;
  const have = await observed();
  const d = driftOf(want, have);
  const r: StepReport = {
    step,
    drift: d.lines.slice(0, 20),
    draining: d.draining,
    virtualServers: [...have.services.values()].filter((s) => have.addresses.has(s.vs.address)).length,
    addresses: have.addresses.size,
    members: [...have.sets.values()].reduce((n, s) => n + s.entries.size, 0),
    ...extra,
  };
  if (d.lines.length > 20) r.drift.push(`… ${d.lines.length - 20} more`);
  report.steps.push(r);
  save();
  console.log(
    `[${((Date.now() - T0) / 1000).toFixed(1)} s] step ${step}: drift=${d.lines.length} draining=${d.draining} vs=${r.virtualServers} changes=${r.changes ?? '-'} ms=${r.ms ?? '-'}`,
  );
  return r;
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return true;
    await sleep(250);
  }
  report.errors.push(`timed out waiting for ${what}`);
  return false;
}

// ---- the traffic part: a client namespace, a backend namespace, a tiny server ----
const TRAFFIC_SERVICES = (backendPort: number): DesiredInput => ({
  services: [
    {
      namespace: 'fiv',
      name: 'traffic',
      ingressIPs: ['192.0.2.1'],
      ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
      externalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      loadBalancerSourceRanges: [],
      annotations: {},
    },
    {
      namespace: 'fiv',
      name: 'fw-deny',
      ingressIPs: ['192.0.2.2'],
      ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
      externalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      loadBalancerSourceRanges: ['198.51.100.0/24'],
      annotations: {},
    },
    {
      namespace: 'fiv',
      name: 'fw-allow',
      ingressIPs: ['192.0.2.3'],
      ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
      externalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      loadBalancerSourceRanges: ['203.0.113.248/29'],
      annotations: {},
    },
    {
      namespace: 'fiv',
      name: 'traffic6',
      ingressIPs: ['2001:db8:a::1'],
      ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
      externalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      loadBalancerSourceRanges: [],
      annotations: {},
    },
  ],
  endpointSlices: [
    ...['traffic', 'fw-deny', 'fw-allow'].map((s) => ({
      namespace: 'fiv',
      serviceName: s,
      addressType: 'IPv4' as const,
      ports: [{ name: 'http', protocol: 'TCP' as const, port: s === 'traffic' ? backendPort : 8080 }],
      endpoints: [{ addresses: ['203.0.113.254'], ready: true, nodeName: NODE }],
    })),
    {
      namespace: 'fiv',
      serviceName: 'traffic6',
      addressType: 'IPv6' as const,
      ports: [{ name: 'http', protocol: 'TCP' as const, port: 8080 }],
      endpoints: [{ addresses: ['2001:db8:b::2'], ready: true, nodeName: NODE }],
    },
  ],
});

function merge(a: DesiredInput, b: DesiredInput): DesiredInput {
  return { services: [...a.services, ...b.services], endpointSlices: [...a.endpointSlices, ...b.endpointSlices] };
}

async function setupNetns(): Promise<void> {
  const cmds = [
    'ip netns add fiv-c',
    'ip netns add fiv-b',
    'ip link add fiv-c0 type veth peer name fiv-c1',
    'ip link set fiv-c1 netns fiv-c',
    'ip link add fiv-b0 type veth peer name fiv-b1',
    'ip link set fiv-b1 netns fiv-b',
    'ip addr add 203.0.113.249/30 dev fiv-c0',
    'ip link set fiv-c0 up',
    'ip addr add 203.0.113.253/30 dev fiv-b0',
    'ip link set fiv-b0 up',
    'ip netns exec fiv-c ip addr add 203.0.113.250/30 dev fiv-c1',
    'ip netns exec fiv-c ip link set fiv-c1 up',
    'ip netns exec fiv-c ip link set lo up',
    'ip netns exec fiv-c ip route add default via 203.0.113.249',
    'ip netns exec fiv-b ip addr add 203.0.113.254/30 dev fiv-b1',
    'ip netns exec fiv-b ip link set fiv-b1 up',
    'ip netns exec fiv-b ip link set lo up',
    'ip netns exec fiv-b ip route add default via 203.0.113.253',
    // IPv6: the client in 2001:db8:c::/64, the backend in 2001:db8:b::/64, the VM's root namespace routing
    // between them (no DAD: the addresses are usable at once).
    'ip addr add 2001:db8:c::1/64 dev fiv-c0 nodad',
    'ip addr add 2001:db8:b::1/64 dev fiv-b0 nodad',
    'ip netns exec fiv-c ip addr add 2001:db8:c::2/64 dev fiv-c1 nodad',
    'ip netns exec fiv-c ip -6 route add default via 2001:db8:c::1',
    'ip netns exec fiv-b ip addr add 2001:db8:b::2/64 dev fiv-b1 nodad',
    'ip netns exec fiv-b ip -6 route add default via 2001:db8:b::1',
  ];
  for (const c of cmds) await sh('sh', ['-c', c]);
  await sh('sh', ['-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
  await sh('sh', ['-c', 'echo 1 > /proc/sys/net/ipv6/conf/all/forwarding']);
}

/** A backend in fiv-b: on 8080 and 8081 (IPv4 and IPv6) answers every line with "port=<port> <line>". */
function startBackend(): ChildProcess {
  const code = `const net=require('net');for(const h of ['203.0.113.254','2001:db8:b::2'])for(const p of [8080,8081]){net.createServer(s=>{let b='';s.on('data',d=>{b+=d;let i;while((i=b.indexOf('\\n'))>=0){const l=b.slice(0,i);b=b.slice(i+1);s.write('port='+p+' '+l+'\\n');}});s.on('error',()=>{});}).listen(p,h,()=>console.log('listening '+h+' '+p));}`;
  return spawn('ip', ['netns', 'exec', 'fiv-b', NODE_BIN, ...NODE_FLAGS, '-e', code], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/**
 * One client process in fiv-c for every request (Node starts slowly under TCG): commands on stdin, one reply
 * line each on stdout. `req IP LINE` makes a new connection (connect bounded by 4 s) and returns the reply;
 * `open IP` keeps a connection, `send LINE` writes on it, `reset` closes it with RST.
 */
function startClient(): { ask: (cmd: string, timeoutMs?: number) => Promise<string>; child: ChildProcess } {
  const code = `const net=require('net');let keep;const out=l=>console.log(l);
require('readline').createInterface({input:process.stdin}).on('line',line=>{const [cmd,a,b]=line.split(' ');
if(cmd==='req'){const s=net.connect({host:a,port:80});const t=setTimeout(()=>{out('error: timeout');s.destroy()},4000);s.on('connect',()=>s.write(b+'\\n'));s.once('data',d=>{clearTimeout(t);out(String(d).trim());s.destroy()});s.on('error',e=>{clearTimeout(t);out('error: '+e.code)});}
else if(cmd==='open'){keep=net.connect({host:a,port:80});keep.on('connect',()=>out('connected'));keep.on('data',d=>out(String(d).trim()));keep.on('error',e=>out('error: '+e.code));}
else if(cmd==='send'){keep.write(a+'\\n');}
else if(cmd==='reset'){keep.resetAndDestroy();out('reset');}});`;
  const child = spawn('ip', ['netns', 'exec', 'fiv-c', NODE_BIN, ...NODE_FLAGS, '-e', code], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let buf = '';
  const waiters: ((l: string) => void)[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      waiters.shift()?.(l);
    }
  });
  let chain: Promise<unknown> = Promise.resolve();
  const ask = (cmd: string, timeoutMs = 60_000): Promise<string> => {
    const r = chain.then(
      () =>
        new Promise<string>((res) => {
          const t = setTimeout(() => res('error: no reply'), timeoutMs);
          waiters.push((l) => {
            clearTimeout(t);
            res(l);
          });
          child.stdin!.write(`${cmd}\n`);
        }),
    );
    chain = r;
    return r;
  };
  return { ask, child };
}

/** `ferrolb ipvs --watch` in a child process, reporting on stdout. */
function startCli(file: string): { child: ChildProcess; lines: string[] } {
  const child = spawn(
    NODE_BIN,
    [
      ...NODE_FLAGS,
      join(REPO_ROOT, 'bin/ferrolb.ts'),
      'ipvs',
      '-f',
      file,
      '--node-name',
      NODE,
      '--interface',
      IFACE,
      '--drain-timeout',
      '600',
      '--watch',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: string[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  return { child, lines };
}

async function realWeight(vs: string, real: string): Promise<number | undefined> {
  const s = parseIpvsadmSave(await sh('ipvsadm', ['-Sn'])).services.get(vs);
  return s?.reals.get(real)?.weight;
}

async function main(): Promise<void> {
  // Shorter IPVS TCP FIN_WAIT timeout (default 120 s) so the connection closed in step 4 stops counting
  // as inactive within seconds and the drain ends on its count, not only on the timeout.
  await sh('ipvsadm', ['--set', '900', '3', '300']);
  // Foreign state FerroLB must never touch: a virtual server and an address on another interface.
  await sh('ipvsadm', ['-A', '-t', '203.0.113.100:443', '-s', 'wlc']);
  await sh('ipvsadm', ['-a', '-t', '203.0.113.100:443', '-r', '203.0.113.101:443', '-m', '-w', '1']);
  const foreign = await sh('ipvsadm', ['-Sn']);

  const syncer = new IpvsSyncer(
    { clock: systemClock },
    // No periodic full read during the test: a read finds the removed servers' connection counts at 0 and
    // deletes them at once, so a churn step would drain nothing (timing-dependent under TCG).
    { interface: IFACE, nodeName: NODE, drainTimeoutMs: 600_000, drainPollMs: 500, resyncMs: 3_600_000 },
  );
  // 1. Program N LB IPs × 2 real servers.
  let desired = fixtureDesired(N);
  let t = Date.now();
  let r = await syncer.sync(desired);
  if (r.error) report.errors.push(`initial sync: ${r.error}`);
  report.checks.ipvsPath = syncer.ipvsPath;
  await check('program', desired, { changes: r.changes.length, ms: Date.now() - t });

  // 2. Churn endpoints: each round replaces one endpoint of a tenth of the Services; the removed ones
  //    drain (weight 0) until the syncer has read their (zero) connection counts, then go.
  for (let round = 1; round <= 2; round++) {
    desired = fixtureDesired(N, round);
    t = Date.now();
    r = await syncer.sync(desired);
    if (r.error) report.errors.push(`churn ${round}: ${r.error}`);
    // The syncer's own drain poll may already have removed the drained servers when the check reads the
    // kernel, so what drains is taken from the plan.
    await check(`churn-${round}`, desired, {
      changes: r.changes.length,
      ms: Date.now() - t,
      planDraining: r.plan?.draining.size,
    });
    await until(`churn ${round} drains to finish`, async () => syncer.draining.size === 0, 60_000);
    await check(`churn-${round}-drained`, desired);
  }

  // 3. Traffic through a virtual server; loadBalancerSourceRanges deny and allow.
  await setupNetns();
  const backend = startBackend();
  desired = merge(fixtureDesired(N, 2), TRAFFIC_SERVICES(8080));
  r = await syncer.sync(desired);
  if (r.error) report.errors.push(`traffic sync: ${r.error}`);
  await check('traffic-services', desired, { changes: r.changes.length });
  await sleep(1000); // the backend's listen
  const client = startClient();
  report.checks.traffic = await client.ask('req 192.0.2.1 hello');
  report.checks.fwDeny = await client.ask('req 192.0.2.2 hello');
  report.checks.fwAllow = await client.ask('req 192.0.2.3 hello');
  report.checks.traffic6 = await client.ask('req 2001:db8:a::1 hello6');
  save();
  await syncer.stop();

  // 4. Restart safety: the CLI takes over (changes nothing), a long-lived connection, its endpoint goes
  //    away (drains), the CLI is SIGKILLed mid-drain, a new one starts: no change, the connection lives on.
  const fileA = join(SHARE, 'desired-a.json');
  writeFileSync(fileA, JSON.stringify({ kind: 'List', items: toKubeObjects(desired) }));
  const a = startCli(fileA);
  await until('first CLI sync', async () => a.lines.some((l) => l.startsWith('synced')), 120_000);
  report.checks.takeoverLine = a.lines.find((l) => l.startsWith('synced'));
  report.checks.longOpen = await client.ask('open 192.0.2.1');
  report.checks.longBefore = await client.ask('send before');
  const drained = merge(fixtureDesired(N, 2), TRAFFIC_SERVICES(8081));
  writeFileSync(fileA, JSON.stringify({ kind: 'List', items: toKubeObjects(drained) }));
  a.child.kill('SIGHUP');
  await until(
    'the old endpoint at weight 0',
    async () => (await realWeight('TCP/192.0.2.1:80', '203.0.113.254:8080')) === 0,
    120_000,
  );
  a.child.kill('SIGKILL');
  await new Promise((res) => a.child.once('exit', res));
  await check('killed-mid-drain', drained, { note: 'first CLI SIGKILLed while 203.0.113.254:8080 drains' });
  // The restarted syncer. Under qemu's TCG, Node has (rarely) died in V8 at startup; such a crash is one
  // more kill of the syncer, so it is started again (at most twice) and the restarts are reported.
  let b = startCli(fileA);
  report.checks.cliRestartsAfterCrash = 0;
  for (let attempt = 0; attempt < 3; attempt++) {
    const exited = new Promise<boolean>((res) => b.child.once('exit', () => res(true)));
    const synced = until(
      'second CLI sync',
      async () =>
        b.lines.some((l) => l.startsWith('synced')) || b.child.exitCode !== null || b.child.signalCode !== null,
      180_000,
    );
    await Promise.race([exited, synced]);
    if (b.lines.some((l) => l.startsWith('synced'))) break;
    report.checks.cliRestartsAfterCrash = attempt + 1;
    b = startCli(fileA);
  }
  report.checks.restartLine = b.lines.find((l) => l.startsWith('synced'));
  await check('restarted-mid-drain', drained);
  report.checks.longAfterRestart = await client.ask('send after-restart');
  report.checks.newConnection = await client.ask('req 192.0.2.1 new');
  await client.ask('reset');
  t = Date.now();
  await until(
    'the drained real server to be deleted',
    async () => (await realWeight('TCP/192.0.2.1:80', '203.0.113.254:8080')) === undefined,
    120_000,
  );
  report.checks.drainDeletedAfterMs = Date.now() - t;
  await check('drained-after-restart', drained);
  b.child.kill('SIGTERM');
  await new Promise((res) => b.child.once('exit', res));
  client.child.kill('SIGKILL');

  // 5. Everything removed: FerroLB's state goes, the foreign virtual server stays.
  const last = new IpvsSyncer({ clock: systemClock }, { interface: IFACE, nodeName: NODE, drainTimeoutMs: 0 });
  const none: DesiredInput = { services: [], endpointSlices: [] };
  t = Date.now();
  r = await last.sync(none);
  if (r.error) report.errors.push(`remove-all: ${r.error}`);
  await check('remove-all', none, { changes: r.changes.length, ms: Date.now() - t });
  await last.stop();
  report.checks.foreignKept = (await sh('ipvsadm', ['-Sn'])) === foreign;
  backend.kill('SIGKILL');
  save();
  // 6. The netlink path against ipvsadm, the netlink reads, and the ipvsadm fallback (guest-netlink.ts).
  report.checks.netlink = netlinkChecks(520);
  save();
}

main().then(
  () => {
    save();
    process.exit(0);
  },
  (err: Error) => {
    report.errors.push(`guest check crashed: ${err.stack ?? err.message}`);
    save();
    process.exit(1);
  },
);
