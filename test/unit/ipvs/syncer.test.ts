// The syncer's own logic (serialising, coalescing, when it reads the kernel, retries, the off switch) over a
// recording fake runner and the fake clock. The kernel side is proven in the VM test
// (test/integration/ipvs/ipvs-vm.test.ts); this fake only answers what the tools would print.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createLogger } from '../../../src/log/index.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  IpvsNetlinkError,
  IpvsSyncer,
  type CommandResult,
  type CommandRunner,
  type IpvsChange,
  type IpvsNetlinkPath,
  type IpvsService,
  type SyncResult,
} from '../../../src/ipvs/index.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { ep, slice, svc } from './fixtures.ts';

class FakeRunner implements CommandRunner {
  calls: { cmd: string; stdin?: string }[] = [];
  /** `ip -d addr show dev kube-ipvs0` as the kernel prints it; code 1 when the interface is missing. */
  link = {
    code: 0,
    text: [
      '5: kube-ipvs0: <BROADCAST,NOARP,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN group default qlen 1000',
      '    link/ether 00:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 0 maxmtu 0',
      '    dummy addrgenmode none numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535',
      '    alias ferrolb',
      '',
    ].join('\n'),
  };
  failIpvsadmRestore = 0;
  /** While set, `ipvsadm -R` waits for it (a sync held in the middle of applying). */
  gate: Promise<void> | undefined;
  async run(cmd: string, args: readonly string[], stdin?: string): Promise<CommandResult> {
    const line = `${cmd} ${args.join(' ')}`;
    this.calls.push({ cmd: line, stdin });
    if (line === 'ipvsadm -R' && this.gate) await this.gate;
    if (line.startsWith('ip -d addr show')) return { code: this.link.code, stdout: this.link.text, stderr: '' };
    if (line === 'ipvsadm -R' && this.failIpvsadmRestore > 0) {
      this.failIpvsadmRestore--;
      return { code: 2, stdout: '', stderr: 'Memory allocation problem' };
    }
    return { code: 0, stdout: '', stderr: '' };
  }
  names(): string[] {
    return this.calls.map((c) => c.cmd);
  }
}

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function procSys(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fiv-procsys-'));
  made.push(dir);
  for (const d of ['net/ipv4/conf/all', 'net/ipv4/vs', 'net/ipv6/conf/all'])
    mkdirSync(join(dir, d), { recursive: true });
  return dir;
}

const desired = (eps: string[]) => ({
  services: [svc('web', ['192.0.2.10'])],
  endpointSlices: [
    slice(
      'web',
      eps.map((a) => ep(a)),
    ),
  ],
});

function make(runner: FakeRunner, clock: FakeClock, cfg = {}): IpvsSyncer {
  return new IpvsSyncer({ clock, runner, procSys: procSys() }, { nodeName: 'node-a', firewall: false, ...cfg });
}

describe('IpvsSyncer', () => {
  it('disabled (kube-proxy in IPVS mode): touches nothing', async () => {
    const r = new FakeRunner();
    const s = make(r, new FakeClock(), { enabled: false });
    expect((await s.sync(desired(['10.0.0.1']))).skipped).toBe('disabled');
    expect(r.calls).toEqual([]);
  });

  it('sysctls it cannot write (read-only /proc/sys, ip_vs not loaded): one error naming them, then it syncs', async () => {
    const dir = procSys();
    rmSync(join(dir, 'net/ipv4/vs'), { recursive: true });
    const lines: string[] = [];
    const logger = createLogger({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const r = new FakeRunner();
    const s = new IpvsSyncer(
      { clock: new FakeClock(), runner: r, procSys: dir, logger },
      { nodeName: 'node-a', firewall: false },
    );
    const res = await s.sync(desired(['10.0.0.1']));
    expect(res.error).toBeUndefined();
    expect(r.names()).toContain('ipvsadm -R');
    expect(readFileSync(join(dir, 'net/ipv4/conf/all/arp_ignore'), 'utf8')).toBe('1\n');
    const errors = lines
      .map((l) => JSON.parse(l) as { level: number; sysctls?: string[] })
      .filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.sysctls).toEqual([
      'net.ipv4.vs.conntrack=1 (ENOENT)',
      'net.ipv4.vs.expire_nodest_conn=1 (ENOENT)',
      'net.ipv4.vs.expire_quiescent_template=1 (ENOENT)',
    ]);
    await s.sync(desired(['10.0.0.2']));
    expect(lines.filter((l) => l.includes('sysctls not writable'))).toHaveLength(1);
    await s.stop();
  });

  it('never puts an IPv4 LB IP on the dummy interface while strict ARP is off (the node would answer ARP for it)', async () => {
    const dir = procSys();
    writeFileSync(join(dir, 'net/ipv4/conf/all/arp_ignore'), '0\n');
    writeFileSync(join(dir, 'net/ipv4/conf/all/arp_announce'), '0\n');
    const r = new FakeRunner();
    const s = new IpvsSyncer(
      { clock: new FakeClock(), runner: r, procSys: dir },
      { nodeName: 'node-a', firewall: false, sysctls: false }, // --ipvs-no-sysctls: the node's own settings
    );
    const refused = await s.sync(desired(['10.0.0.1']));
    expect(refused.error).toMatch(/strict ARP is not in effect \(net.ipv4.conf.all.arp_ignore=0, arp_announce=0/);
    expect(r.calls.filter((c) => c.stdin?.includes('address add'))).toEqual([]);
    // The operator sets strict ARP on the node: the next sync adds the address.
    writeFileSync(join(dir, 'net/ipv4/conf/all/arp_ignore'), '1\n');
    writeFileSync(join(dir, 'net/ipv4/conf/all/arp_announce'), '2\n');
    const ok = await s.sync(desired(['10.0.0.1']));
    expect(ok.error).toBeUndefined();
    expect(r.calls.find((c) => c.cmd === 'ip -batch -')?.stdin).toContain('address add 192.0.2.10/32 dev kube-ipvs0');
    await s.stop();
  });

  it('reads the kernel once, applies batches in order, then plans against its own model', async () => {
    const r = new FakeRunner();
    const clock = new FakeClock();
    const s = make(r, clock);
    const first = await s.sync(desired(['10.0.0.1']));
    expect(first.error).toBeUndefined();
    expect(first.readKernel).toBe(true);
    const order = r.names().filter((n) => /ipset restore|ip -batch|ipvsadm -R/.test(n));
    expect(order).toEqual(['ipset restore -exist', 'ip -batch -', 'ipvsadm -R']);
    expect(r.calls.find((c) => c.cmd === 'ipvsadm -R')!.stdin).toBe(
      '-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 10.0.0.1:8080 -m -w 1\n',
    );
    r.calls = [];
    const again = await s.sync(desired(['10.0.0.1']));
    expect([again.changes, again.readKernel, r.calls]).toEqual([[], false, []]);
    const one = await s.sync(desired(['10.0.0.1', '10.0.0.2']));
    expect(r.names()).toEqual(['ipvsadm -R']);
    expect(one.changes).toEqual(['add-real TCP/192.0.2.10:80 -> 10.0.0.2:8080 weight=1']);
    // A changed Service: patched desired state, diffed alone.
    expect([one.timings?.quick, one.timings?.scoped, one.timings?.rebuilt]).toEqual([true, true, 1]);
    await s.stop();
  });

  it('serialises and coalesces: calls made while a sync runs share one following sync with the newest state', async () => {
    const r = new FakeRunner();
    const s = make(r, new FakeClock());
    let open!: () => void;
    r.gate = new Promise((x) => (open = x));
    const a = s.sync(desired(['10.0.0.1']));
    while (!r.names().includes('ipvsadm -R')) await new Promise((x) => setTimeout(x, 1)); // a is applying
    const b = s.sync(desired(['10.0.0.2']));
    const c = s.sync(desired(['10.0.0.3']));
    expect(b).toBe(c);
    expect(a).not.toBe(b);
    r.gate = undefined;
    open();
    await Promise.all([a, b, c]);
    const batches = r.calls.filter((x) => x.cmd === 'ipvsadm -R').map((x) => x.stdin);
    expect(batches).toHaveLength(2);
    expect(batches[1]).toContain('-r 10.0.0.3:8080');
    expect(batches[1]).not.toContain('10.0.0.2');
    await s.stop();
  });

  it('a failed apply is reported, and retried with backoff after re-reading the kernel', async () => {
    const r = new FakeRunner();
    r.failIpvsadmRestore = 1;
    const clock = new FakeClock();
    const results: string[] = [];
    const s = new IpvsSyncer(
      { clock, runner: r, procSys: procSys(), onSynced: (x) => results.push(x.error ?? `ok read=${x.readKernel}`) },
      { nodeName: 'node-a', firewall: false, retryBaseMs: 1000 },
    );
    const res = await s.sync(desired(['10.0.0.1']));
    expect(res.error).toMatch(/^ipvsadm -R exited 2: Memory allocation problem/);
    r.calls = [];
    clock.advance(1000);
    await new Promise((x) => setTimeout(x, 50));
    expect(results).toEqual([expect.stringMatching(/^ipvsadm -R exited 2/), 'ok read=true']);
    expect(r.names()).toContain('ipvsadm -Ln --exact');
    await s.stop();
  });

  it("refuses an interface of that name that is not FerroLB's", async () => {
    const r = new FakeRunner();
    r.link = {
      code: 0,
      text: '5: kube-ipvs0: <BROADCAST,NOARP> mtu 1500\n    link/ether 00:00:00:00:00:01\n    dummy\n',
    };
    const s = make(r, new FakeClock());
    const res = await s.sync(desired(['10.0.0.1']));
    expect(res.error).toMatch(/interface kube-ipvs0 exists but is not FerroLB's .*kube-proxy runs in IPVS mode/);
    // Read (ipvsadm -Ln, ipset save) but nothing written, also by the syncs after it.
    const again = await s.sync(desired(['10.0.0.1', '10.0.0.2']));
    expect(again.error).toMatch(/interface kube-ipvs0 exists but is not FerroLB's/);
    expect(r.names().filter((n) => /restore|-R|-batch|link (add|set)/.test(n))).toEqual([]);
    await s.stop();
  });

  it('a missing interface is created in the same ip -batch as the addresses (no extra process)', async () => {
    const r = new FakeRunner();
    r.link = { code: 1, text: '' };
    const s = make(r, new FakeClock());
    expect((await s.sync(desired(['10.0.0.1']))).error).toBeUndefined();
    const ipCalls = r.calls.filter((c) => c.cmd.startsWith('ip '));
    expect(ipCalls.map((c) => c.cmd)).toEqual(['ip -d addr show dev kube-ipvs0', 'ip -batch -']);
    expect(ipCalls[1]!.stdin).toBe(
      [
        'link add kube-ipvs0 type dummy',
        'link set dev kube-ipvs0 alias ferrolb',
        'link set dev kube-ipvs0 addrgenmode none',
        'link set dev kube-ipvs0 arp off up',
        'address add 192.0.2.10/32 dev kube-ipvs0',
        '',
      ].join('\n'),
    );
    // Set up once: the next sync's batch (a new address) carries no setup lines.
    r.calls = [];
    await s.sync({ ...desired(['10.0.0.1']), services: [svc('web', ['192.0.2.10', '192.0.2.11'])] });
    expect(r.calls.find((c) => c.cmd === 'ip -batch -')!.stdin).toBe('address add 192.0.2.11/32 dev kube-ipvs0\n');
    await s.stop();
  });

  it('while a real server drains, a poll reads only the IPVS connection counts, not the sets or addresses', async () => {
    const r = new FakeRunner();
    const clock = new FakeClock();
    const s = make(r, clock, { drainPollMs: 2000, drainTimeoutMs: 60_000 });
    await s.sync(desired(['10.0.0.1', '10.0.0.2']));
    r.calls = [];
    const drain = await s.sync(desired(['10.0.0.1']));
    expect(drain.changes).toEqual(['drain-real TCP/192.0.2.10:80 -> 10.0.0.2:8080 weight=1→0']);
    expect(s.draining.size).toBe(1);
    r.calls = [];
    const polled = new Promise<SyncResult>((res) => {
      const again = s.sync(desired(['10.0.0.1']));
      void again.then(res);
    });
    const p = await polled;
    expect(p.readKernel).toBe('counts');
    expect(r.names()[0]).toBe('ipvsadm -Ln --exact');
    expect(r.names().filter((n) => n === 'ipset save' || n.startsWith('ip -d addr'))).toEqual([]);
    await s.stop();
  });

  it('a dry run against an assumed-empty kernel reads and writes nothing, and reports only what changed since the last dry run', async () => {
    const r = new FakeRunner();
    const s = make(r, new FakeClock(), { dryRun: true, assumeEmpty: true });
    const first = await s.sync(desired(['10.0.0.1']));
    expect(first.changes).toContain('add-real TCP/192.0.2.10:80 -> 10.0.0.1:8080 weight=1');
    const second = await s.sync(desired(['10.0.0.1', '10.0.0.2']));
    expect(second.changes).toEqual(['add-real TCP/192.0.2.10:80 -> 10.0.0.2:8080 weight=1']);
    expect(r.calls).toEqual([]);
    await s.stop();
  });
});

/** The netlink path as the syncer sees it, logging into the runner's call list so the order shows. */
class FakeNetlink implements IpvsNetlinkPath {
  readonly runner: FakeRunner;
  applied: IpvsChange[][] = [];
  fail: Error | undefined;
  counts: Map<string, IpvsService> = new Map();
  closed = false;
  constructor(runner: FakeRunner) {
    this.runner = runner;
  }
  async apply(changes: readonly IpvsChange[]): Promise<void> {
    this.runner.calls.push({ cmd: 'netlink apply' });
    if (this.fail) {
      const e = this.fail;
      this.fail = undefined;
      throw e;
    }
    this.applied.push([...changes]);
  }
  readServices(withCounts: boolean): { services: Map<string, IpvsService>; problems: string[] } {
    this.runner.calls.push({ cmd: `netlink read counts=${withCounts}` });
    return { services: this.counts, problems: [] };
  }
  close(): void {
    this.closed = true;
  }
}

describe('IpvsSyncer over netlink', () => {
  const withNetlink = (r: FakeRunner, clock: FakeClock, nl: IpvsNetlinkPath | { reason: string }) =>
    new IpvsSyncer(
      { clock, runner: r, procSys: procSys(), netlink: true, openNetlink: () => nl },
      { nodeName: 'node-a', firewall: false, drainPollMs: 1000 },
    );

  it('applies the IPVS changes over netlink between the set/address adds and the deletions; drain polls read counts over it', async () => {
    const r = new FakeRunner();
    const clock = new FakeClock();
    const nl = new FakeNetlink(r);
    const s = withNetlink(r, clock, nl);
    expect(s.ipvsPath).toBeUndefined();
    const first = await s.sync(desired(['10.0.0.1', '10.0.0.2']));
    expect(first.error).toBeUndefined();
    expect(s.ipvsPath).toBe('netlink');
    const order = r.names().filter((n) => /ipset restore|ip -batch|ipvsadm|netlink/.test(n));
    // The first read is ipvsadm's (it loads ip_vs); the changes go over netlink, never through ipvsadm -R.
    expect(order).toEqual(['ipvsadm -Ln --exact', 'ipset restore -exist', 'ip -batch -', 'netlink apply']);
    expect(nl.applied[0]!.map((c) => c.op)).toEqual(['add-service', 'add-real', 'add-real']);
    r.calls = [];
    // One endpoint goes: it drains (weight 0) over netlink, and the poll reads the counts over netlink.
    const drain = await s.sync(desired(['10.0.0.1']));
    expect(drain.changes).toEqual(['drain-real TCP/192.0.2.10:80 -> 10.0.0.2:8080 weight=1→0']);
    const vs = { protocol: 'TCP' as const, address: '192.0.2.10', family: 'ipv4' as const, port: 80, scheduler: 'rr' };
    nl.counts = new Map([
      [
        'TCP/192.0.2.10:80',
        {
          vs,
          reals: new Map([
            ['10.0.0.1:8080', { address: '10.0.0.1', port: 8080, weight: 1, activeConns: 3, inactiveConns: 0 }],
            ['10.0.0.2:8080', { address: '10.0.0.2', port: 8080, weight: 0, activeConns: 0, inactiveConns: 0 }],
          ]),
        },
      ],
    ]);
    const polled = new Promise<SyncResult>((res) => {
      const t = setInterval(() => {
        if (r.names().includes('netlink read counts=true') && nl.applied.length === 3) {
          clearInterval(t);
          res({} as SyncResult);
        }
      }, 5);
    });
    clock.advance(1000);
    await polled;
    expect(nl.applied[2]!.map((c) => `${c.op} ${'real' in c ? c.real.address : ''}`)).toEqual(['del-real 10.0.0.2']);
    expect(r.names().filter((n) => n.startsWith('ipvsadm'))).toEqual([]);
    await s.stop();
    expect(nl.closed).toBe(true);
  });

  it('without the IPVS netlink family (ip_vs not loaded, old kernel) it uses ipvsadm -R as before', async () => {
    const r = new FakeRunner();
    const s = withNetlink(r, new FakeClock(), { reason: 'generic netlink family IPVS not registered: ENOENT' });
    const res = await s.sync(desired(['10.0.0.1']));
    expect(res.error).toBeUndefined();
    expect(s.ipvsPath).toBe('ipvsadm');
    expect(r.calls.find((c) => c.cmd === 'ipvsadm -R')!.stdin).toBe(
      '-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 10.0.0.1:8080 -m -w 1\n',
    );
    await s.stop();
  });

  it('a netlink error names the change and errno; the next sync reads the kernel again', async () => {
    const r = new FakeRunner();
    const clock = new FakeClock();
    const nl = new FakeNetlink(r);
    nl.fail = new IpvsNetlinkError([
      {
        subject: 'add-real TCP/192.0.2.10:80 -> 10.0.0.1:8080',
        failure: { seq: 7, errno: 17, code: 'EEXIST' },
      },
    ]);
    const s = withNetlink(r, clock, nl);
    const res = await s.sync(desired(['10.0.0.1']));
    expect(res.error).toBe('IPVS netlink add-real TCP/192.0.2.10:80 -> 10.0.0.1:8080: EEXIST');
    r.calls = [];
    const again = await s.sync(desired(['10.0.0.1']));
    expect(again.error).toBeUndefined();
    expect(again.readKernel).toBe(true);
    expect(r.names()).toContain('ipvsadm -Ln --exact');
    expect(nl.applied).toHaveLength(1);
    await s.stop();
  });
});
