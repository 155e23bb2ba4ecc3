// Five real `ferrolb memberlist` processes in network namespaces on one bridge: kill -9 is reported by
// every survivor, SIGTERM is a graceful leave, a partition (nftables drop rules) splits and then merges by
// itself, 10 % random loss (nftables numgen random) causes no false death, and a wrong-key node, garbage
// and plaintext datagrams change nothing. Waits are polled and bounded; times are printed, not asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MembershipLab } from '../../../src/lab/membership-netns.ts';
import type { LabNode, NodeCommand } from '../../../src/lab/membership-netns.ts';
import { allSee, ferrolb, keyFile, stateSeen, waitUntil } from './lab-helpers.ts';

describe('ferrolb memberlist: 5 processes in namespaces', () => {
  let lab: MembershipLab;
  let cmd: NodeCommand;
  let members: LabNode[];
  let names: string[];
  const peers = (): string[] => ['198.51.100.1:7946', '198.51.100.2:7946'];

  beforeAll(async () => {
    lab = MembershipLab.create(6);
    cmd = ferrolb(keyFile());
    members = lab.nodes.slice(0, 5);
    names = members.map((n) => n.name);
    for (const n of members) lab.start(n, cmd, peers());
    await waitUntil(() => allSee(members, names, 'alive'), 'all 5 alive everywhere', lab, 120_000);
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('kill -9: every survivor reports the node dead; restarted, it joins again', async () => {
    const victim = members[4] as LabNode;
    const survivors = members.slice(0, 4);
    const killedAt = Date.now();
    await lab.stop(victim, 'SIGKILL');
    await waitUntil(
      () => survivors.every((s) => stateSeen(s, victim.name) === 'dead'),
      'every survivor reports node4 dead',
      lab,
    );
    const times = survivors.map(
      (s) =>
        (s.lines.find((l) => l.node === victim.name && l.state === 'dead' && l.t >= killedAt)?.t ?? NaN) - killedAt,
    );
    console.log(`kill -9 → reported dead by each survivor after ${times.join(', ')} ms`);
    expect(times.every((t) => Number.isFinite(t) && t >= 0)).toBe(true);
    lab.start(victim, cmd, peers());
    await waitUntil(() => allSee(members, names, 'alive'), 'node4 back everywhere', lab);
  });

  it('SIGTERM: a graceful leave, seen as "left" by everyone, and a clean exit', async () => {
    const leaver = members[3] as LabNode;
    const others = members.filter((n) => n !== leaver);
    const at = Date.now();
    await lab.stop(leaver, 'SIGTERM');
    expect(leaver.child?.exitCode).toBe(0);
    await waitUntil(() => others.every((s) => stateSeen(s, leaver.name) === 'left'), 'everyone sees node3 left', lab);
    const times = others.map(
      (s) => (s.lines.find((l) => l.node === leaver.name && l.state === 'left' && l.t >= at)?.t ?? NaN) - at,
    );
    console.log(`SIGTERM → "left" seen after ${times.join(', ')} ms`);
    expect(others.every((s) => !s.lines.some((l) => l.node === leaver.name && l.state === 'dead' && l.t >= at))).toBe(
      true,
    );
    lab.start(leaver, cmd, peers());
    await waitUntil(() => allSee(members, names, 'alive'), 'node3 back everywhere', lab);
  });

  it('a partition splits the cluster in two; healed, it merges by itself', async () => {
    const a = members.slice(0, 3);
    const b = members.slice(3, 5);
    lab.partition([a, b]);
    try {
      await waitUntil(
        () =>
          allSee(
            a,
            b.map((n) => n.name),
            'dead',
          ) &&
          allSee(
            b,
            a.map((n) => n.name),
            'dead',
          ),
        'each side reports the other dead',
        lab,
      );
      expect(
        allSee(
          a,
          a.map((n) => n.name),
          'alive',
        ) &&
          allSee(
            b,
            b.map((n) => n.name),
            'alive',
          ),
      ).toBe(true);
    } finally {
      lab.partition([]);
    }
    const took = await waitUntil(() => allSee(members, names, 'alive'), 'merged after healing', lab);
    console.log(`partition healed → merged after ${took} ms (polled)`);
  });

  it('10 % random loss for 30 s: no false death', async () => {
    const from = Date.now();
    lab.setLoss(10);
    try {
      await new Promise((r) => setTimeout(r, 30_000));
    } finally {
      lab.setLoss(0);
    }
    const deaths = members.flatMap((o) =>
      o.lines.filter((l) => l.t >= from && l.state === 'dead').map((l) => `${o.name} saw ${l.node} dead`),
    );
    const suspicions = members.flatMap((o) => o.lines.filter((l) => l.t >= from && l.state === 'suspect')).length;
    console.log(`10 % loss, 30 s: ${deaths.length} false deaths, ${suspicions} suspicions (refuted)`);
    expect(deaths).toEqual([]);
    await waitUntil(() => allSee(members, names, 'alive'), 'all alive after the loss', lab);
  });

  it('a wrong-key node, garbage and plaintext datagrams, and a stream of junk change nothing', async () => {
    const intruderNode = lab.nodes[5] as LabNode;
    const from = Date.now();
    lab.start(intruderNode, ferrolb(keyFile()), peers());
    const script = `
      const dgram = require('node:dgram'); const net = require('node:net'); const crypto = require('node:crypto');
      const s = dgram.createSocket('udp4');
      let i = 0;
      const send = () => {
        if (i++ >= 300) { s.close(); return; }
        const kind = i % 3;
        const buf = kind === 0 ? crypto.randomBytes(1 + (i % 200)) : kind === 1 ? Buffer.from([0, 1, 1, 0, 0, 0, 1, 0]) : Buffer.concat([Buffer.from([1]), crypto.randomBytes(60)]);
        s.send(buf, 7946, '198.51.100.' + (1 + (i % 5)), () => setTimeout(send, 5));
      };
      send();
      for (let j = 0; j < 5; j++) { const c = net.connect(7946, '198.51.100.' + (1 + j), () => c.end(crypto.randomBytes(5000))); c.on('error', () => {}); }
    `;
    lab.exec(intruderNode, [process.execPath, '-e', script]);
    await new Promise((r) => setTimeout(r, 5_000));
    await lab.stop(intruderNode, 'SIGKILL');
    for (const o of members) {
      expect(
        o.lines.filter((l) => l.t >= from),
        `${o.name} events during the attack`,
      ).toEqual([]);
      expect(stateSeen(o, intruderNode.name)).toBeUndefined();
      expect(lab.running(o)).toBe(true);
    }
    expect(intruderNode.lines.filter((l) => l.kind === 'join')).toEqual([]);
  });
});
