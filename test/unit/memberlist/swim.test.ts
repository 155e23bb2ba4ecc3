// The SWIM + Lifeguard rules on the in-memory network with a fake clock: convergence, failure detection,
// graceful leave, refutation, loss, delay, asymmetric links, partitions and healing, a stalled member.
import { describe, expect, it } from 'vitest';
import { Sim } from './sim.ts';

const range = (n: number): number[] => [...Array(n).keys()];

describe('memberlist core: SWIM with Lifeguard', () => {
  it('5 members converge, detect a killed member within 1 s everywhere, and see a graceful leave at once', () => {
    const sim = new Sim(7).cluster(5);
    expect(sim.until(() => sim.converged(range(5)), 5_000)).toBeDefined();
    sim.run(2_000);
    const killedAt = sim.clock.now();
    sim.net.kill(Sim.addr(4));
    const took = sim.until(() => sim.allSee([0, 1, 2, 3], 'n4', 'dead'), 5_000);
    expect(took).toBeDefined();
    const reports = sim.events.filter((e) => e.kind === 'leave' && e.member.name === 'n4').map((e) => e.at - killedAt);
    expect(reports).toHaveLength(4);
    expect(Math.max(...reports)).toBeLessThan(1_000);

    let left = false;
    sim.nodes[3]?.leave(() => (left = true));
    const leftAt = sim.clock.now();
    expect(sim.until(() => left && sim.allSee([0, 1, 2], 'n3', 'left'), 1_000, 1)).toBeDefined();
    const leaves = sim.events.filter((e) => e.kind === 'leave' && e.member.name === 'n3');
    expect(leaves.map((e) => e.member.state)).toEqual(['left', 'left', 'left']);
    expect(Math.max(...leaves.map((e) => e.at - leftAt))).toBeLessThan(20);
  });

  it('members that join at the same moment all see each other within 2 s (60 seeds): an unknown pinger is dialled', () => {
    const worst: number[] = [];
    for (let seed = 1; seed <= 60; seed++) {
      const sim = new Sim(seed).cluster(6);
      const took = sim.until(() => sim.converged(range(6)), 10_000);
      expect(took, `seed ${seed}`).toBeDefined();
      worst.push(took as number);
    }
    expect(Math.max(...worst)).toBeLessThan(2_000);
  });

  it('probe ring: at N=30 a killed member is reported dead by every survivor within 1 s (20 kills, fake clock)', () => {
    const n = 30;
    const sim = new Sim(31).cluster(n);
    expect(sim.until(() => sim.converged(range(n)), 20_000)).toBeDefined();
    const worst: number[] = [];
    for (let k = 0; k < 20; k++) {
      const victim = n - 1 - k;
      sim.run(1_000 + 37 * k);
      const killedAt = sim.clock.now();
      sim.net.kill(Sim.addr(victim));
      const alive = range(n - 1 - k);
      const took = sim.until(() => sim.allSee(alive, `n${victim}`, 'dead'), 10_000);
      expect(took, `kill ${k}`).toBeDefined();
      worst.push(
        Math.max(
          ...sim.events
            .filter((e) => e.member.name === `n${victim}` && e.kind === 'leave' && e.at >= killedAt)
            .map((e) => e.at - killedAt),
        ),
      );
    }
    console.log(`N=30, 20 kills: slowest survivor report per kill ${worst.join(', ')} ms`);
    expect(Math.max(...worst)).toBeLessThan(1_000);
  });

  it('a suspected live member refutes with a higher incarnation', () => {
    const sim = new Sim(3).cluster(4);
    expect(sim.until(() => sim.converged(range(4)), 5_000)).toBeDefined();
    const before = sim.nodes[2]?.incarnation ?? -1;
    sim.nodes[0]?.suspectNode({ type: 'suspect', incarnation: before, node: 'n2', from: 'n0' });
    expect(sim.stateOf(0, 'n2')).toBe('suspect');
    expect(
      sim.until(() => sim.allSee([0, 1, 3], 'n2', 'alive') && (sim.nodes[2]?.incarnation ?? 0) > before, 2_000, 1),
    ).toBeDefined();
    sim.run(3_000);
    expect(sim.falseDeaths(new Set(['n0', 'n1', 'n2', 'n3']))).toEqual([]);
    // A stale suspicion (old incarnation) changes nothing.
    expect(sim.nodes[1]?.suspectNode({ type: 'suspect', incarnation: before, node: 'n2', from: 'n1' })).toBe(
      'stale-suspect',
    );
  });

  it('a restarted member (same name, incarnation 0) is accepted again after refuting its old death', () => {
    const sim = new Sim(5).cluster(3);
    expect(sim.until(() => sim.converged(range(3)), 5_000)).toBeDefined();
    sim.net.kill(Sim.addr(2));
    expect(sim.until(() => sim.allSee([0, 1], 'n2', 'dead'), 5_000)).toBeDefined();
    // A new process for n2 on a new address.
    const revived = sim.add({ name: 'n2' });
    revived.join([Sim.addr(0)]);
    expect(sim.until(() => sim.allSee([0, 1], 'n2', 'alive'), 5_000)).toBeDefined();
    expect(revived.incarnation).toBeGreaterThan(0);
  });

  it('no false deaths at 10 % and 20 % uniform loss (10 members, 120 s each)', () => {
    for (const loss of [0.1, 0.2]) {
      const sim = new Sim(11).cluster(10);
      expect(sim.until(() => sim.converged(range(10)), 5_000)).toBeDefined();
      sim.net.loss = loss;
      sim.run(120_000, 50);
      const fd = sim.falseDeaths(new Set(range(10).map((i) => `n${i}`)));
      expect(fd, `loss ${loss}`).toEqual([]);
    }
  });

  it('delay of 30 ms each way (above half the probe timeout) causes no false death', () => {
    const sim = new Sim(13);
    sim.net.delayMs = 30;
    sim.net.jitterMs = 10;
    sim.cluster(6);
    expect(sim.until(() => sim.converged(range(6)), 10_000)).toBeDefined();
    sim.run(60_000, 50);
    expect(sim.falseDeaths(new Set(range(6).map((i) => `n${i}`)))).toEqual([]);
  });

  it('an asymmetric link (n0 cannot reach n1 directly) is bridged by indirect probes: no death', () => {
    const sim = new Sim(17).cluster(5);
    expect(sim.until(() => sim.converged(range(5)), 5_000)).toBeDefined();
    sim.net.block(Sim.addr(0), Sim.addr(1));
    sim.run(60_000, 50);
    expect(sim.falseDeaths(new Set(range(5).map((i) => `n${i}`)))).toEqual([]);
    expect(sim.converged(range(5))).toBe(true);
  });

  it('a partition splits the cluster; after healing it merges again by itself (healing re-dials)', () => {
    const sim = new Sim(19).cluster(6);
    expect(sim.until(() => sim.converged(range(6)), 5_000)).toBeDefined();
    sim.net.partition([[0, 1, 2].map(Sim.addr), [3, 4, 5].map(Sim.addr)]);
    expect(
      sim.until(() => sim.allSee([0, 1, 2], 'n4', 'dead') && sim.allSee([3, 4, 5], 'n1', 'dead'), 10_000),
    ).toBeDefined();
    sim.net.heal();
    const merged = sim.until(() => sim.converged(range(6)), 10_000);
    expect(merged).toBeDefined();
    expect(merged as number).toBeLessThan(5_000);
  });

  it('a member whose event loop stalls for 3 s is not declared dead by others, and it accuses nobody', () => {
    const sim = new Sim(23).cluster(6);
    expect(sim.until(() => sim.converged(range(6)), 5_000)).toBeDefined();
    const t0 = sim.events.length;
    sim.net.stall(Sim.addr(5), 3_000);
    sim.run(300, 10);
    // Under a stall others may suspect it briefly; the stalled member's own view is frozen.
    sim.run(15_000, 20);
    const after = sim.events.slice(t0);
    // The stalled member never declared anyone dead.
    expect(after.filter((e) => e.observer === 'n5' && e.kind === 'leave')).toEqual([]);
    expect(sim.until(() => sim.converged(range(6)), 10_000)).toBeDefined();
  });

  it('Lifeguard: a member with a lossy inbound link raises its local health score instead of killing others', () => {
    // UDP only (the TCP fallback would get through the in-memory network's lossless streams).
    const sim = new Sim(29).cluster(5, { tcpFallback: false });
    expect(sim.until(() => sim.converged(range(5)), 5_000)).toBeDefined();
    for (let i = 1; i < 5; i++) sim.net.setLinkLoss(Sim.addr(i), Sim.addr(0), 0.9);
    let worst = 0;
    for (let t = 0; t < 20_000; t += 50) {
      sim.run(50, 10);
      worst = Math.max(worst, sim.nodes[0]?.localHealth ?? 0);
    }
    expect(worst).toBeGreaterThan(2);
    // The sick member's own view may be wrong (and others may rightly find it unreachable), but it gets
    // no healthy member declared dead by anyone else.
    expect(sim.falseDeaths(new Set(['n1', 'n2', 'n3', 'n4'])).filter((e) => e.observer !== 'n0')).toEqual([]);
  });

  it('1,000 members: a death is disseminated to every member within O(log N) probe periods', () => {
    const sim = new Sim(31);
    const n = 1000;
    // Forming a 1,000-member cluster by gossip is N² messages; seed every member's table instead (as a
    // push-pull would, quietly) and let the protocol run from there.
    for (let i = 0; i < n; i++) sim.add({ pushPullIntervalMs: 600_000 });
    for (const s of sim.nodes) {
      for (let j = 0; j < n; j++) {
        s.aliveNode(
          {
            type: 'alive',
            incarnation: 0,
            node: `n${j}`,
            addr: Sim.addr(j),
            meta: new Uint8Array(0),
            protocolMin: 1,
            protocolMax: 1,
          },
          true,
        );
      }
    }
    sim.run(500, 50);
    expect(sim.events.filter((e) => e.kind === 'leave')).toEqual([]);
    const live = range(n - 1);
    sim.net.kill(Sim.addr(n - 1));
    const killedAt = sim.clock.now();
    const took = sim.until(() => live.every((o) => sim.stateOf(o, `n${n - 1}`) === 'dead'), 10_000, 50);
    expect(took).toBeDefined();
    const periods = (took as number) / 100;
    console.log(`1,000 members: every survivor saw the death ${took} ms (${periods} probe periods) after the kill`);
    // log2(1000) ≈ 10: detection (a few periods) + suspicion (~4 periods at N=1000) + dissemination.
    expect(periods).toBeLessThan(4 * Math.log2(n));
    expect(sim.events.filter((e) => e.kind === 'leave' && e.at >= killedAt && e.member.name !== `n${n - 1}`)).toEqual(
      [],
    );
  }, 240_000);
});
