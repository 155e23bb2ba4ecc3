// Two FerroLB BfdSessions (RFC 5880/5881, UDP 3784, TTL 255) in two namespaces joined by a veth: they come
// Up, one namespace is silenced with an nftables drop rule and the other reports down; AdminDown on stop;
// GTSM drop of packets whose TTL is rewritten below 255. The measured detection time is printed.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDON_PATH } from '../../../src/native/index.ts';
import { nodeRouterLab } from '../../../src/lab/bgp/index.ts';
import type { Daemon, NodeRouter } from '../../../src/lab/bgp/index.ts';
import { bfdLines, spawnBfdPeer, waitBfdLine } from './peer-process.ts';
import type { BfdLine } from './peer-process.ts';

const waitEvent = (d: Daemon, pred: (l: BfdLine) => boolean, what: string): Promise<BfdLine> =>
  waitBfdLine(d, pred, what, 10_000);

describe('FerroLB BFD between two namespaces', () => {
  let lab: NodeRouter;

  beforeAll(async () => {
    expect(existsSync(ADDON_PATH), `addon not built at ${ADDON_PATH}: run npm ci`).toBe(true);
    lab = await nodeRouterLab();
  });
  afterAll(() => lab?.lab.destroySync());

  function start(side: 'node' | 'router', family: 'ipv4' | 'ipv6', profile: object = {}, device?: string): Daemon {
    const me = lab[side];
    const other = side === 'node' ? lab.router : lab.node;
    return spawnBfdPeer(
      lab.lab,
      `bfd-${side}-${family}`,
      me.ns,
      me[family],
      other[family],
      profile,
      device ? { device } : {},
    );
  }

  it('IPv4: comes Up, detects a silenced peer (diag 1), recovers, and signals AdminDown on stop (diag 3)', async () => {
    const a = start('node', 'ipv4');
    const b = start('router', 'ipv4');
    await waitEvent(a, (l) => l.event === 'up', 'node session Up');
    await waitEvent(b, (l) => l.event === 'up', 'router session Up');

    await lab.lab.silence(lab.router.ns);
    const silencedAt = Date.now();
    const down = await waitEvent(a, (l) => l.event === 'down', 'node session down after silence');
    expect(down).toMatchObject({
      from: 'Up',
      to: 'Down',
      diag: 1,
      diagName: 'Control Detection Time Expired',
      peer: '192.0.2.2',
    });
    const detectionMs = down.t - silencedAt;
    console.log(`BFD detection time (300 ms × 3, measured from nft drop): ${detectionMs} ms; configured bound 900 ms`);

    await lab.lab.unsilence(lab.router.ns);
    await waitEvent(a, (l) => l.event === 'up' && l.t > down.t, 'node session Up again');
    await waitEvent(b, (l) => l.event === 'up' && l.t > down.t, 'router session Up again');

    const upAgain = Date.now();
    b.child.kill('SIGTERM');
    const adminDown = await waitEvent(a, (l) => l.event === 'down' && l.t >= upAgain, 'node sees AdminDown');
    expect(adminDown).toMatchObject({ diag: 3, diagName: 'Neighbor Signaled Session Down' });
    await lab.lab.stop(a);
    await lab.lab.stop(b);
  });

  it('IPv6: comes Up over 2001:db8::1 ↔ 2001:db8::2', async () => {
    const a = start('node', 'ipv6');
    const b = start('router', 'ipv6');
    expect(await waitEvent(a, (l) => l.event === 'up', 'node IPv6 session Up')).toMatchObject({ peer: '2001:db8::2' });
    await waitEvent(b, (l) => l.event === 'up', 'router IPv6 session Up');
    await lab.lab.stop(a);
    await lab.lab.stop(b);
  });

  it('SO_BINDTODEVICE: bound to the veth the session comes Up; bound to lo it cannot reach the peer', async () => {
    const a = start('node', 'ipv4', {}, lab.node.ifname);
    const b = start('router', 'ipv4', {}, lab.router.ifname);
    await waitEvent(a, (l) => l.event === 'up', 'node Up bound to its veth');
    await waitEvent(b, (l) => l.event === 'up', 'router Up bound to its veth');
    await lab.lab.stop(a);
    await lab.lab.stop(b);

    const wrong = start('node', 'ipv4', {}, 'lo');
    const peer = start('router', 'ipv4');
    await waitEvent(wrong, (l) => l.event === 'started', 'node started bound to lo');
    await new Promise((r) => setTimeout(r, 2500)); // bounded negative window: 2+ packets at the slow rate
    wrong.child.kill('SIGUSR1');
    const counters = await waitEvent(wrong, (l) => l.event === 'counters', 'counters');
    expect(counters['state']).toBe('Down');
    expect(counters['received']).toBe(0);
    expect(bfdLines(peer).filter((l) => l.event === 'state' && l['to'] !== 'Down')).toEqual([]);
    await lab.lab.stop(wrong);
    await lab.lab.stop(peer);
  });

  it('GTSM: packets arriving with TTL 254 are dropped (RFC 5881 §5) and the session never comes Up', async () => {
    // Rewrite the TTL of BFD packets leaving the router namespace.
    const rules = [
      'table ip flb_ttl {',
      '  chain out {',
      '    type filter hook output priority 0;',
      '    udp dport 3784 ip ttl set 254',
      '  }',
      '}',
    ];
    await lab.lab.exec(lab.router.ns, ['nft', '-f', '-'], { input: rules.join('\n') + '\n' });
    const a = start('node', 'ipv4');
    const b = start('router', 'ipv4');
    await waitEvent(b, (l) => l.event === 'started', 'router started');
    // Bounded negative check: 3.5 s = 3 or more slow-rate packets, enough for a handshake if accepted.
    await new Promise((r) => setTimeout(r, 3500));
    a.child.kill('SIGUSR1');
    const counters = await waitEvent(a, (l) => l.event === 'counters', 'node counters');
    expect(counters['state']).toBe('Down');
    expect((counters['drops'] as Record<string, number>)['bad-ttl']).toBeGreaterThanOrEqual(2);
    expect(bfdLines(a).filter((l) => l.event === 'up')).toEqual([]);
    await lab.lab.exec(lab.router.ns, ['nft', 'delete', 'table', 'ip', 'flb_ttl']);
    await lab.lab.stop(a);
    await lab.lab.stop(b);
  });
});
