// The IPVS syncer against a real kernel: one boot of Debian's kernel under qemu (TCG) runs guest-check.ts
// (1,000 LB IPs, endpoint churn, traffic, source ranges, SIGKILL + restart mid-drain, removal), and this
// file asserts on the report it leaves in the share. See src/lab/vm.ts and scripts/vm/. The VM time limit
// is generous because TCG slows down many times over when the machine's two cores are busy.
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareVm, runGuestNode, type VmRun } from '../../../src/lab/vm.ts';
import type { StepReport } from './guest-check.ts';

interface Report {
  steps: StepReport[];
  checks: Record<string, unknown>;
  errors: string[];
}

const N = 1000;
let run: VmRun;
let report: Report;

describe('IPVS syncer in a VM (real IPVS + ipset kernel)', () => {
  beforeAll(async () => {
    const image = prepareVm();
    const g = await runGuestNode({
      image,
      file: 'test/integration/ipvs/guest-check.ts',
      env: { FIV_N: N },
      collect: ['report.json'],
      timeoutMs: 840_000, // per boot: runGuestNode boots twice at most, within the 1,740 s below
    });
    run = g.run;
    report = JSON.parse(g.collected['report.json']!) as Report;
  }, 1_740_000);

  const step = (name: string): StepReport => {
    const s = report.steps.find((x) => x.step === name);
    expect(s, `step ${name} in the report`).toBeDefined();
    return s!;
  };

  it('the guest ran to the end without errors', () => {
    expect(report.errors).toEqual([]);
    expect(run.code).toBe(0);
    expect(report.steps.map((s) => s.step)).toEqual([
      'program',
      'churn-1',
      'churn-1-drained',
      'churn-2',
      'churn-2-drained',
      'traffic-services',
      'killed-mid-drain',
      'restarted-mid-drain',
      'drained-after-restart',
      'remove-all',
    ]);
  });

  it('the syncer applied every change over generic netlink (not ipvsadm -R)', () => {
    expect(report.checks.ipvsPath).toBe('netlink');
  });

  it('netlink writes what ipvsadm -R writes for the same plans (ipvsadm -Sn equal), reads it back, names failures', () => {
    const nl = report.checks.netlink as Record<string, Record<string, unknown> | unknown[]>;
    const crashes = nl.crashes as string[];
    if (crashes.length > 0) console.log(`guest Node processes killed by a signal and run again: ${crashes.join('; ')}`);
    // 520 Services (IPv4 and IPv6, persistence), then scheduler/persistence edits, weights, deletions.
    const ops = ['add-service', 'add-real', 'edit-service', 'edit-real', 'del-real', 'del-service'];
    expect(nl.writeIpvsadm).toEqual({ path: 'ipvsadm', changes: [1560, 260], ops });
    expect(nl.writeNetlink).toEqual({
      path: 'netlink',
      changes: [1560, 260],
      ops,
      // The GET_SERVICE/GET_DEST dumps give what ipvsadm -Sn and -Ln --exact give; a failed request in a
      // batch names its change and errno, and the requests around it held.
      read: {
        services: 468,
        reals: 884,
        problems: 0,
        readEqualsSave: true,
        readWithCountsEqualsList: true,
        error: 'IPVS netlink add-service TCP/192.0.2.10:80: EEXIST',
        aroundFailure: 1,
      },
    });
    expect(nl.saveDiff).toEqual([]);
    expect(nl.saveLines).toEqual([468 + 884, 468 + 884]);
  });

  it('without netlink (the ipvsadm fallback) the syncer programs the same state; a netlink syncer then changes nothing', () => {
    const nl = report.checks.netlink as Record<string, Record<string, unknown>>;
    expect(nl.fallback).toEqual({
      error: '',
      pathA: 'ipvsadm',
      changesA: 343,
      drift: [],
      pathB: 'none (nothing to apply)',
      changesB: 0,
    });
  });

  it('0 drift between ipvsadm -Sn / ipset save / the interface and the desired state after every step', () => {
    for (const s of report.steps) expect(s.drift, s.step).toEqual([]);
  });

  it('programs 1,000 LB IPs (virtual servers, addresses, members)', () => {
    const p = step('program');
    expect(p.virtualServers).toBe(N);
    expect(p.addresses).toBe(N);
    expect(p.members).toBeGreaterThan(N);
  });

  it('endpoint churn changes only what changed; removed real servers drain, then go', () => {
    for (const r of [1, 2]) {
      const c = step(`churn-${r}`);
      // A tenth of the Services: one new real server each (+ the old one set to weight 0).
      expect(c.changes).toBe(2 * (N / 10));
      expect(c.planDraining).toBe(N / 10);
      expect(step(`churn-${r}-drained`).draining).toBe(0);
    }
  });

  it('a client namespace reaches the backend through a virtual server (IPv4 and IPv6); source ranges deny and allow', () => {
    expect(report.checks.traffic).toBe('port=8080 hello');
    expect(report.checks.traffic6).toBe('port=8080 hello6');
    expect(report.checks.fwDeny).toMatch(/^error: /);
    expect(report.checks.fwAllow).toBe('port=8080 hello');
  });

  it('a restart changes nothing; a SIGKILL mid-drain drops no traffic; the drain finishes after it', () => {
    expect(report.checks.takeoverLine).toBe('synced changes=0 draining=0');
    expect(step('killed-mid-drain').draining).toBe(1);
    expect(report.checks.restartLine).toBe('synced changes=0 draining=1');
    expect(step('restarted-mid-drain').draining).toBe(1);
    expect(report.checks.longOpen).toBe('connected');
    expect(report.checks.longBefore).toBe('port=8080 before');
    expect(report.checks.longAfterRestart).toBe('port=8080 after-restart');
    expect(report.checks.newConnection).toBe('port=8081 new');
    expect(step('drained-after-restart').draining).toBe(0);
    console.log(
      `drained real server deleted ${report.checks.drainDeletedAfterMs} ms after its connection was reset; syncer restarts after a crash under TCG: ${report.checks.cliRestartsAfterCrash}`,
    );
  });

  it("removing everything removes only FerroLB's state", () => {
    const r = step('remove-all');
    expect(r.virtualServers).toBe(0);
    expect(r.addresses).toBe(0);
    expect(r.members).toBe(0);
    expect(report.checks.foreignKept).toBe(true);
  });
});
