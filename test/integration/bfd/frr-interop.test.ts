// Interop with FRR's bfdd (Debian frr, installed by scripts/bgp-daemons.sh): FerroLB's BfdSession in the
// "node" namespace, bfdd in the "router" namespace. Handshake, poll sequence on a timer change made by
// FRR, detection of a silenced FRR (measured), AdminDown both ways, IPv6.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDON_PATH } from '../../../src/native/index.ts';
import { ensureDaemons, nodeRouterLab, waitFor } from '../../../src/lab/bgp/index.ts';
import type { Daemon, NodeRouter } from '../../../src/lab/bgp/index.ts';
import { bfdLines, spawnBfdPeer, waitBfdLine } from './peer-process.ts';
import type { BfdLine } from './peer-process.ts';
import { Bfdd } from './frr-bfdd.ts';
import type { BfddPeer } from './frr-bfdd.ts';

describe('FerroLB BFD ↔ FRR bfdd', () => {
  let lab: NodeRouter;

  beforeAll(async () => {
    ensureDaemons();
    expect(existsSync('/usr/lib/frr/bfdd'), 'FRR bfdd missing: run scripts/bgp-daemons.sh').toBe(true);
    expect(existsSync(ADDON_PATH), `addon not built at ${ADDON_PATH}: run npm ci`).toBe(true);
    lab = await nodeRouterLab();
  });
  afterAll(() => lab?.lab.destroySync());

  function ferrolb(family: 'ipv4' | 'ipv6', multihop = false): Daemon {
    return spawnBfdPeer(
      lab.lab,
      `ferrolb-bfd-${family}`,
      lab.node.ns,
      lab.node[family],
      lab.router[family],
      {},
      { multihop },
    );
  }

  const waitLine = (d: Daemon, pred: (l: BfdLine) => boolean, what: string): Promise<BfdLine> =>
    waitBfdLine(d, pred, what);

  it('IPv4: Up both sides, FRR timer change (poll/final), silence detection, AdminDown both ways', async () => {
    const peerCfg: BfddPeer = { peer: lab.node.ipv4, local: lab.router.ipv4 };
    const bfdd = await Bfdd.start(lab.lab, lab.router.ns, [peerCfg]);
    const node = ferrolb('ipv4');
    await waitLine(node, (l) => l.event === 'up', 'FerroLB Up with FRR');
    await waitFor(async () => (await bfdd.peer(lab.node.ipv4))?.status === 'up', {
      what: 'FRR peer up',
      timeoutMs: 15_000,
    });
    // Once Up, FerroLB's poll sequence moved it from the slow 1 s rate to the configured 300 ms.
    await waitFor(async () => (await bfdd.peer(lab.node.ipv4))?.['remote-transmit-interval'] === 300, {
      what: 'FRR sees FerroLB transmit at 300 ms',
      timeoutMs: 10_000,
    });

    // FRR changes its timers in Up: it runs a Poll Sequence that FerroLB must answer with Final.
    await bfdd.configurePeer(peerCfg, 'transmit-interval 600', 'receive-interval 600');
    await waitFor(async () => (await bfdd.peer(lab.node.ipv4))?.['transmit-interval'] === 600, {
      what: 'FRR at 600 ms',
      timeoutMs: 10_000,
    });
    await new Promise((r) => setTimeout(r, 2000));
    expect(bfdLines(node).filter((l) => l.event === 'down')).toEqual([]);
    expect((await bfdd.peer(lab.node.ipv4))?.status).toBe('up');

    // Silence FRR's namespace: FerroLB detects it (3 × 600 ms now).
    await lab.lab.silence(lab.router.ns);
    const silencedAt = Date.now();
    const down = await waitLine(node, (l) => l.event === 'down', 'FerroLB detects silent FRR');
    expect(down).toMatchObject({ from: 'Up', diag: 1 });
    console.log(
      `BFD detection time against FRR (600 ms × 3 after FRR's timer change): ${down.t - silencedAt} ms; bound 1800 ms`,
    );
    await lab.lab.unsilence(lab.router.ns);
    await waitLine(node, (l) => l.event === 'up' && l.t > down.t, 'FerroLB Up again with FRR');

    // FRR shuts the peer down administratively → FerroLB: down with "Neighbor Signaled Session Down".
    const before = Date.now();
    await bfdd.configurePeer(peerCfg, 'shutdown');
    expect(
      await waitLine(node, (l) => l.event === 'down' && l.t >= before, 'FerroLB sees FRR AdminDown'),
    ).toMatchObject({ diag: 3 });
    await bfdd.configurePeer(peerCfg, 'no shutdown');
    await waitLine(node, (l) => l.event === 'up' && l.t >= before, 'FerroLB Up after FRR no shutdown');

    // FerroLB stops → FRR: down, remote diagnostic "administratively down".
    node.child.kill('SIGTERM');
    await waitFor(
      async () => {
        const p = await bfdd.peer(lab.node.ipv4);
        return p?.status === 'down' && p['remote-diagnostic'] === 'administratively down';
      },
      { what: 'FRR sees FerroLB AdminDown', timeoutMs: 10_000 },
    );
    await lab.lab.stop(node);
    await lab.lab.stop(bfdd.daemon);
  });

  it('multihop (RFC 5883, UDP 4784): Up with an FRR multihop peer (minimum-ttl 254)', async () => {
    const bfdd = await Bfdd.start(lab.lab, lab.router.ns, [
      { peer: lab.node.ipv4, local: lab.router.ipv4, multihop: true, minimumTtl: 254 },
    ]);
    const node = ferrolb('ipv4', true);
    await waitLine(node, (l) => l.event === 'up', 'FerroLB multihop Up with FRR');
    await waitFor(async () => (await bfdd.peer(lab.node.ipv4))?.status === 'up', {
      what: 'FRR multihop peer up',
      timeoutMs: 15_000,
    });
    expect((await bfdd.peers())[0]).toMatchObject({ multihop: true });
    await lab.lab.stop(node);
    await lab.lab.stop(bfdd.daemon);
  });

  it('IPv6: Up with FRR over 2001:db8::1 ↔ 2001:db8::2', async () => {
    const bfdd = await Bfdd.start(lab.lab, lab.router.ns, [{ peer: lab.node.ipv6, local: lab.router.ipv6 }]);
    const node = ferrolb('ipv6');
    await waitLine(node, (l) => l.event === 'up', 'FerroLB IPv6 Up with FRR');
    await waitFor(async () => (await bfdd.peer(lab.node.ipv6))?.status === 'up', {
      what: 'FRR IPv6 peer up',
      timeoutMs: 15_000,
    });
    await lab.lab.stop(node);
    await lab.lab.stop(bfdd.daemon);
  });
});
