// Runs INSIDE the test VM (real IPVS kernel). The netlink path against ipvsadm, each in a fresh network
// namespace of its own (IPVS tables are per namespace), driven by guest-check.ts (`netlinkChecks`) in the
// same boot as the main checks. As a program (`node guest-netlink.ts MODE ...`, run by netlinkChecks with
// `ip netns exec`) it does one part:
//   write netlink|ipvsadm N  applies the same two plans (a full sync of N Services from empty, then edits,
//                            persistence changes, weight changes, real and virtual server deletions) over
//                            IPVS netlink or as `ipvsadm -R` of renderIpvsBatch; after netlink also `read`
//   read                     compares the netlink dumps with `ipvsadm -Sn` / `-Ln --exact`, and checks that
//                            a failed request names its change and errno and that the requests around it
//                            held (then removes what it added, so the state is the plans' again)
//   fallback N               a syncer without netlink (the ipvsadm path) programs N Services (0 drift), then a
//                            netlink syncer started over it finds nothing to change
//   capture FILE             writes the kernel's raw replies (family, dumps, an error) as hex fixtures
// Each prints one JSON line.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureDesired, FIXTURE_NODE } from '../../../src/lab/ipvs-fixture.ts';
import { GUEST_NODE, REPO_ROOT } from '../../../src/lab/vm.ts';
import {
  applyPlan,
  buildDesired,
  cloneState,
  driftOf,
  emptyKernelState,
  IpvsNetlinkError,
  IpvsSyncer,
  mustRun,
  openIpvsNetlink,
  parseIpAddr,
  parseIpsetSave,
  parseIpvsadmList,
  parseIpvsadmSave,
  planChanges,
  renderIpvsBatch,
  spawnRunner,
  type IpvsNetlink,
  type KernelState,
  type Plan,
} from '../../../src/ipvs/index.ts';
import { nativeAddon } from '../../../src/native/index.ts';
import {
  encodeGenlMessage,
  encodeNlMessages,
  GENL_ID_CTRL,
  getFamilyRequest,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
} from '../../../src/netlink/codec/index.ts';
import {
  changeMessage,
  encodeIpvsMessage,
  IPVS_CMD_GET_DEST,
  IPVS_CMD_GET_SERVICE,
  serviceId,
} from '../../../src/ipvs/codec/index.ts';
import { systemClock } from '../../../src/time/index.ts';

const NODE_CTX = { nodeName: FIXTURE_NODE, nodeIPs: [], defaultScheduler: 'rr' as const };
const sh = (cmd: string, args: string[], stdin?: string): Promise<string> => mustRun(spawnRunner, cmd, args, stdin);

/** The two plans `write` applies (deterministic: both paths get the very same changes). */
export function twoPlans(n: number): [Plan, Plan] {
  const desired1 = buildDesired(fixtureDesired(n), NODE_CTX).state;
  const plan = (desired: KernelState, observed: KernelState): Plan =>
    planChanges({ desired, observed, draining: new Map(), now: 0, drainTimeoutMs: 0 });
  const p1 = plan(desired1, emptyKernelState());
  const after1 = applyPlan(cloneState(emptyKernelState()), p1);
  const desired2 = cloneState(desired1);
  let i = 0;
  for (const [key, s] of [...desired2.services]) {
    const k = i++ % 10;
    if (k === 0) s.vs = { ...s.vs, scheduler: s.vs.scheduler === 'wlc' ? 'sh' : 'wlc' };
    else if (k === 1) s.vs = { ...s.vs, persistence: s.vs.persistence === undefined ? 300 : undefined };
    else if (k === 2) {
      const [rk, r] = [...s.reals][0]!;
      s.reals.set(rk, { ...r, weight: 5 });
    } else if (k === 3) s.reals.delete([...s.reals.keys()][0]!);
    else if (k === 4) desired2.services.delete(key);
  }
  return [p1, plan(desired2, after1)];
}

/**
 * An address in the namespace: until one exists the namespace has no local routing table, the kernel
 * classes every real server address as non-unicast and IPVS refuses it (EINVAL), by netlink and ipvsadm alike.
 */
async function localTable(): Promise<void> {
  await sh('ip', ['-batch', '-'], 'link add fnl0 type dummy\nlink set fnl0 up\naddress add 192.0.2.1/32 dev fnl0\n');
}

async function write(path: string, n: number): Promise<Record<string, unknown>> {
  await localTable();
  const plans = twoPlans(n);
  let nl: IpvsNetlink | undefined;
  if (path === 'netlink') {
    const o = openIpvsNetlink();
    if ('reason' in o) throw new Error(o.reason);
    nl = o;
  }
  for (const p of plans) {
    if (nl) await nl.apply(p.ipvs);
    else await sh('ipvsadm', ['-R'], renderIpvsBatch(p));
  }
  nl?.close();
  return {
    path,
    changes: plans.map((p) => p.ipvs.length),
    ops: [...new Set(plans.flatMap((p) => p.ipvs.map((c) => c.op)))],
    ...(nl ? { read: await read() } : {}),
  };
}

async function read(): Promise<Record<string, unknown>> {
  const o = openIpvsNetlink();
  if ('reason' in o) throw new Error(o.reason);
  const [save, list] = await Promise.all([sh('ipvsadm', ['-Sn']), sh('ipvsadm', ['-Ln', '--exact'])]);
  const bySave = parseIpvsadmSave(save).services;
  const byList = parseIpvsadmList(list).services;
  const plain = o.readServices(false);
  const counted = o.readServices(true);
  const same = (a: KernelState['services'], b: KernelState['services']): boolean =>
    JSON.stringify([...a].sort().map(([k, v]) => [k, v.vs, [...v.reals].sort()])) ===
    JSON.stringify([...b].sort().map(([k, v]) => [k, v.vs, [...v.reals].sort()]));
  // A failing request in the middle of a batch: the error names that change and its errno; the kernel
  // carries on with the others in the same sendmsg (each request stands alone), so both around it hold.
  const [first] = [...bySave.values()];
  const fresh = { ...first!.vs, address: '192.0.2.250', port: 81 };
  let error = '';
  try {
    await o.apply([
      { op: 'add-service', vs: fresh },
      { op: 'add-service', vs: first!.vs },
      { op: 'add-real', vs: fresh, real: { address: '203.0.113.250', port: 8080, weight: 1 } },
    ]);
  } catch (err) {
    error = err instanceof IpvsNetlinkError ? err.message : `not an IpvsNetlinkError: ${String(err)}`;
  }
  const after = parseIpvsadmSave(await sh('ipvsadm', ['-Sn'])).services;
  await o.apply([{ op: 'del-service', vs: fresh }]);
  o.close();
  return {
    services: bySave.size,
    reals: [...bySave.values()].reduce((k, s) => k + s.reals.size, 0),
    problems: plain.problems.length + counted.problems.length,
    readEqualsSave: same(plain.services, bySave),
    readWithCountsEqualsList: same(counted.services, byList),
    error,
    aroundFailure: after.get(`${fresh.protocol}/${fresh.address}:${fresh.port}`)?.reals.size ?? -1,
  };
}

async function fallback(n: number): Promise<Record<string, unknown>> {
  writeFileSync('/proc/sys/net/ipv4/conf/all/arp_ignore', '1\n');
  writeFileSync('/proc/sys/net/ipv4/conf/all/arp_announce', '2\n');
  const cfg = { interface: 'fnl-ipvs0', nodeName: FIXTURE_NODE, firewall: false, sysctls: false, drainTimeoutMs: 0 };
  const d = fixtureDesired(n);
  const a = new IpvsSyncer({ clock: systemClock, netlink: false }, cfg);
  const r = await a.sync(d);
  const pathA = a.ipvsPath;
  await a.stop();
  const [addr, ipvs, sets] = await Promise.all([
    sh('ip', ['-o', 'addr', 'show', 'dev', cfg.interface]),
    sh('ipvsadm', ['-Sn']),
    sh('ipset', ['save']),
  ]);
  const have = emptyKernelState();
  have.addresses = parseIpAddr(addr, true);
  have.services = parseIpvsadmSave(ipvs).services;
  have.sets = parseIpsetSave(sets).sets;
  const drift = driftOf(buildDesired(d, NODE_CTX).state, have).lines;
  const b = new IpvsSyncer({ clock: systemClock }, cfg);
  const again = await b.sync(fixtureDesired(n));
  await b.stop();
  return {
    error: r.error ?? again.error ?? '',
    pathA,
    changesA: r.changes.length,
    drift,
    pathB: b.ipvsPath ?? 'none (nothing to apply)',
    changesB: again.changes.length,
  };
}

/** Raw kernel replies, hex, for the unit tests' fixtures (test/unit/ipvs/fixtures/netlink-kernel.json). */
async function capture(file: string): Promise<Record<string, unknown>> {
  await localTable();
  const o = openIpvsNetlink();
  if ('reason' in o) throw new Error(o.reason);
  const family = o.familyId;
  o.close();
  const sock = new (nativeAddon().NetlinkSocket)({ protocol: 16 });
  let seq = 1000;
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  const ex = (type: number, flags: number, payload: Uint8Array): { request: string; reply: string } => {
    const req = encodeNlMessages([{ type, flags: NLM_F_REQUEST | flags, seq: ++seq, pid: 0, payload }]);
    return { request: hex(req), reply: hex(sock.exchange(req)) };
  };
  const vs4 = { protocol: 'TCP' as const, address: '192.0.2.10', family: 'ipv4' as const, port: 80, scheduler: 'wlc' };
  const vs6 = {
    protocol: 'UDP' as const,
    address: '2001:db8:1::1',
    family: 'ipv6' as const,
    port: 53,
    scheduler: 'rr',
    persistence: 300,
  };
  const real4 = { address: '203.0.113.1', port: 8080, weight: 2 };
  const real6 = { address: '2001:db8:2::1', port: 5353, weight: 1 };
  const out: Record<string, unknown> = {
    made: 'test/integration/ipvs/guest-netlink.ts capture, in the test VM (Debian kernel, fresh network namespace)',
    kernel: spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim(),
    family,
    getFamily: ex(GENL_ID_CTRL, NLM_F_ACK, encodeGenlMessage(getFamilyRequest('IPVS'))),
    newService4: ex(family, NLM_F_ACK, encodeIpvsMessage(changeMessage({ op: 'add-service', vs: vs4 }))),
    newService6: ex(family, NLM_F_ACK, encodeIpvsMessage(changeMessage({ op: 'add-service', vs: vs6 }))),
    newDest4: ex(family, NLM_F_ACK, encodeIpvsMessage(changeMessage({ op: 'add-real', vs: vs4, real: real4 }))),
    newDest6: ex(family, NLM_F_ACK, encodeIpvsMessage(changeMessage({ op: 'add-real', vs: vs6, real: real6 }))),
    existingService: ex(family, NLM_F_ACK, encodeIpvsMessage(changeMessage({ op: 'add-service', vs: vs4 }))),
    serviceDump: ex(family, NLM_F_DUMP, encodeIpvsMessage({ cmd: IPVS_CMD_GET_SERVICE })),
    destDump4: ex(family, NLM_F_DUMP, encodeIpvsMessage({ cmd: IPVS_CMD_GET_DEST, service: serviceId(vs4) })),
    destDump6: ex(family, NLM_F_DUMP, encodeIpvsMessage({ cmd: IPVS_CMD_GET_DEST, service: serviceId(vs6) })),
    ipvsadmSave: spawnSync('ipvsadm', ['-Sn'], { encoding: 'utf8' }).stdout,
  };
  sock.close();
  writeFileSync(file, `${JSON.stringify(out, null, 1)}\n`);
  return { captured: Object.keys(out).length };
}

const [NODE_BIN, ...NODE_FLAGS] = GUEST_NODE as [string, ...string[]];
const SELF = join(REPO_ROOT, 'test/integration/ipvs/guest-netlink.ts');

/**
 * Runs one mode in a fresh namespace `ns` (left for the caller to inspect); its JSON line, or {failed} with
 * the output. Node under qemu TCG sometimes dies in V8 itself (SIGSEGV, or SIGTRAP after `Check failed` in
 * the WebAssembly of its TypeScript stripper), even with GUEST_NODE_FLAGS (a fresh-clone CI run lost one
 * this way): a process killed by a signal is run once more in a new namespace, and the retry is reported in
 * `crashes` (printed by the test). A second death by a signal fails the check.
 */
const crashes: string[] = [];
function runIn(ns: string, args: string[]): Record<string, unknown> {
  for (let attempt = 1; ; attempt++) {
    spawnSync('ip', ['netns', 'del', ns]);
    spawnSync('ip', ['netns', 'add', ns]);
    const r = spawnSync('ip', ['netns', 'exec', ns, NODE_BIN, ...NODE_FLAGS, SELF, ...args], { encoding: 'utf8' });
    if (r.signal !== null && attempt === 1) {
      crashes.push(`${args.join(' ')}: ${r.signal}`);
      continue;
    }
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    return line
      ? (JSON.parse(line) as Record<string, unknown>)
      : { failed: `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}: ${r.stdout}${r.stderr}` };
  }
}

function sortedSave(ns: string): string[] {
  return spawnSync('ip', ['netns', 'exec', ns, 'ipvsadm', '-Sn'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l !== '')
    .sort();
}

/** Everything above, each part in fresh namespaces (removed again); for guest-check.ts's report. */
export function netlinkChecks(n: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const spaces = ['fnl-eq-nl', 'fnl-eq-adm', 'fnl-fb'];
  try {
    // The same plans over netlink and through ipvsadm -R: the kernel must hold the same rules.
    out.writeNetlink = runIn('fnl-eq-nl', ['write', 'netlink', String(n)]);
    out.writeIpvsadm = runIn('fnl-eq-adm', ['write', 'ipvsadm', String(n)]);
    const a = sortedSave('fnl-eq-nl');
    const b = sortedSave('fnl-eq-adm');
    out.saveLines = [a.length, b.length];
    out.saveDiff = [...a.filter((l) => !b.includes(l)).slice(0, 5), ...b.filter((l) => !a.includes(l)).slice(0, 5)];
    out.fallback = runIn('fnl-fb', ['fallback', '60']);
  } finally {
    for (const ns of spaces) spawnSync('ip', ['netns', 'del', ns]);
  }
  out.crashes = crashes;
  return out;
}

const [mode, ...rest] = process.argv.slice(2);
if (mode) {
  const modes: Record<string, () => Promise<Record<string, unknown>> | Record<string, unknown>> = {
    write: () => write(rest[0]!, Number(rest[1])),
    read,
    fallback: () => fallback(Number(rest[0])),
    capture: () => capture(rest[0]!),
    checks: () => netlinkChecks(Number(rest[0] ?? '600')),
  };
  const fn = modes[mode];
  if (!fn) {
    console.error(
      'usage: node guest-netlink.ts write netlink|ipvsadm N | read | fallback N | capture FILE | checks [N]',
    );
    process.exit(2);
  }
  Promise.resolve(fn()).then(
    (r) => {
      console.log(JSON.stringify(r));
      process.exit(0);
    },
    (err: Error) => {
      console.log(JSON.stringify({ failed: err.stack ?? err.message }));
      process.exit(1);
    },
  );
}
