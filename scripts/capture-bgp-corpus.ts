// Regenerates test/fixtures/bgp-corpus/*.bin: raw BGP messages as real daemons (BIRD, FRR, GoBGP,
// ExaBGP) put them on the wire, one message per file, named <daemon>-<nn>-<type>.bin.
//
//   node_modules/.bin/node scripts/capture-bgp-corpus.ts [OUT_DIR]     (root: network namespaces)
//
// For each daemon a raw peer (the lab's RawPeer, in its own namespace) opens a session with it and
// records what it sends: OPEN (with its capabilities), KEEPALIVE, UPDATEs for IPv4 and IPv6 routes
// carrying communities, large communities and MED, End-of-RIB, a ROUTE-REFRESH (asked for through the
// daemon's CLI), a Cease NOTIFICATION (administrative shutdown/reset through the CLI), and, on a second
// connection that offers the wrong AS, an OPEN-error NOTIFICATION.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeMessage, type CodecContext } from '../src/bgp/codec/index.ts';
import { parseIp } from '../src/net/ip.ts';
import {
  Bird,
  ExaBgp,
  Frr,
  GoBgp,
  MESSAGE_TYPES,
  RawPeer,
  ensureDaemons,
  nodeRouterLab,
  waitFor,
  countUpdate,
  type DaemonName,
  type NodeRouter,
  type PeerOptions,
  type RawMessage,
} from '../src/lab/bgp/index.ts';

const CTX: CodecContext = { fourOctetAs: true };
const DAEMON_AS = 64512;
const RAW_AS = 64513;
const V4 = ['203.0.113.0/24', '203.0.113.128/25', '198.51.100.64/26'];
const V6 = ['2001:db8:10::/48', '2001:db8:20::/64'];
const ATTRS = { communities: ['65000:1', '65000:2'], largeCommunities: ['64512:1:2'], med: 10 };

function rawOpen(asn: number): Uint8Array {
  return encodeMessage(
    {
      type: 'OPEN',
      version: 4,
      myAsn: asn,
      holdTime: 90,
      bgpId: Number(parseIp('192.0.2.1')!.value),
      capabilities: [
        { type: 'MULTIPROTOCOL', afi: 1, safi: 1 },
        { type: 'MULTIPROTOCOL', afi: 2, safi: 1 },
        { type: 'ROUTE_REFRESH' },
        { type: 'FOUR_OCTET_AS', asn },
        {
          type: 'GRACEFUL_RESTART',
          restartState: false,
          notification: false,
          restartTime: 120,
          families: [
            { afi: 1, safi: 1, forwardingState: false },
            { afi: 2, safi: 1, forwardingState: false },
          ],
        },
      ],
    },
    CTX,
  );
}
const KEEPALIVE = encodeMessage({ type: 'KEEPALIVE' }, CTX);

interface Driver {
  /** Ask the daemon to send a ROUTE-REFRESH; undefined when it has no way to. */
  refresh?: () => Promise<unknown>;
  /** Ask the daemon to close the session with a Cease NOTIFICATION. */
  cease: () => Promise<unknown>;
  /** The daemon connects to us instead of accepting (ExaBGP). */
  connectsOut: boolean;
}

async function startDaemon(name: DaemonName, t: NodeRouter, o: PeerOptions): Promise<Driver> {
  const peer = t.node.ipv4;
  switch (name) {
    case 'bird': {
      const b = await Bird.start(t.lab, t.router.ns, o);
      return {
        connectsOut: false,
        refresh: () => b.control.command('reload in peer1'),
        cease: () => b.control.command('disable peer1'),
      };
    }
    case 'frr': {
      const f = await Frr.start(t.lab, t.router.ns, o);
      return {
        connectsOut: false,
        refresh: () => f.vtysh(`clear bgp ${peer} soft in`),
        cease: () => f.vtysh(`clear bgp ${peer}`),
      };
    }
    case 'gobgp': {
      const g = await GoBgp.start(t.lab, t.router.ns, o);
      return {
        connectsOut: false,
        refresh: () => g.cli(['neighbor', peer, 'softresetin', '-a', 'ipv4']),
        cease: () => g.cli(['neighbor', peer, 'shutdown']),
      };
    }
    case 'exabgp': {
      const e = ExaBgp.start(t.lab, t.router.ns, {
        ...o,
        routes: [
          ...V4.map((p) => ({ prefix: p, nextHop: t.router.ipv4, ...ATTRS })),
          ...V6.map((p) => ({ prefix: p, nextHop: t.router.ipv6, ...ATTRS })),
        ],
      });
      return { connectsOut: true, cease: () => e.stop('SIGTERM') };
    }
  }
}

async function session(name: DaemonName, wrongAs: boolean): Promise<RawMessage[]> {
  const t = await nodeRouterLab();
  try {
    const o: PeerOptions = {
      localAddress: t.router.ipv4,
      localAs: DAEMON_AS,
      routerId: t.router.ipv4,
      peerAddress: t.node.ipv4,
      peerAs: RAW_AS,
      originate: [...V4, ...V6],
      originateAttributes: ATTRS,
      gracefulRestart: { restartTime: 120 },
    };
    const d = await startDaemon(name, t, o);
    const raw = RawPeer.start(t.lab, t.node.ns);
    if (d.connectsOut) {
      await raw.listen(t.node.ipv4);
      await raw.waitConnection(0, 30_000);
    } else {
      await waitFor(
        async () => {
          const n = await raw.connect(t.router.ipv4, t.node.ipv4).catch(() => 0);
          return n > 0 && !raw.closed();
        },
        { what: `${name} accepting a connection`, timeoutMs: 20_000, intervalMs: 500 },
      );
    }
    raw.send(rawOpen(wrongAs ? 65000 : RAW_AS));
    // Keep the session alive however long the daemon's CLI takes (hold times here are as low as 9 s).
    const ticker = setInterval(() => raw.send(KEEPALIVE), 1000);
    try {
      return await exchange(name, d, raw, wrongAs);
    } finally {
      clearInterval(ticker);
    }
  } finally {
    await t.lab.destroy();
  }
}

async function exchange(name: DaemonName, d: Driver, raw: RawPeer, wrongAs: boolean): Promise<RawMessage[]> {
  {
    if (wrongAs) {
      await raw.waitMessage(3, `${name} NOTIFICATION for a wrong AS`, 0, 15_000);
      return raw.messages();
    }
    await raw.waitMessage(1, `${name} OPEN`);
    await raw.waitMessage(4, `${name} KEEPALIVE`);
    const want = V4.length + V6.length;
    await waitFor(
      () =>
        raw
          .messages()
          .filter((m) => m.type === 2)
          .reduce((n, m) => n + countUpdate(m.bytes).announced, 0) >= want,
      {
        what: `${name} UPDATEs for ${want} routes`,
        timeoutMs: 20_000,
        diagnostics: () => raw.diagnostics(),
      },
    );
    // End-of-RIB markers follow the routes; give them a moment (bounded) to arrive.
    await waitFor(() => raw.messages().some((m) => m.type === 2 && countUpdate(m.bytes).endOfRib) || undefined, {
      what: `${name} End-of-RIB`,
      timeoutMs: 5_000,
    }).catch(() => undefined);
    if (d.refresh) {
      await d.refresh();
      await raw
        .waitMessage(5, `${name} ROUTE-REFRESH`, 0, 10_000)
        .catch((e: Error) => console.error(`  (${name}: ${e.message.split('\n')[0]})`));
    }
    await d.cease();
    // Not every daemon says goodbye with a NOTIFICATION (ExaBGP 4.2 resets the connection on SIGTERM).
    await raw
      .waitMessage(3, `${name} Cease NOTIFICATION`, 0, 10_000)
      .catch((e: Error) => console.error(`  (${name}: ${e.message.split('\n')[0]})`));
    return raw.messages();
  }
}

/** Keeps the first of each message type and up to 6 distinct UPDATEs. */
function select(messages: RawMessage[]): RawMessage[] {
  const seen = new Set<string>();
  const out: RawMessage[] = [];
  let updates = 0;
  for (const m of messages) {
    const hex = Buffer.from(m.bytes).toString('hex');
    if (seen.has(hex)) continue;
    if (m.type === 2 ? ++updates > 6 : out.some((x) => x.type === m.type && m.type !== 3)) continue;
    seen.add(hex);
    out.push(m);
  }
  return out;
}

export async function capture(outDir: string): Promise<string[]> {
  ensureDaemons();
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const name of ['bird', 'frr', 'gobgp', 'exabgp'] as const) {
    const messages = select([...(await session(name, false)), ...(await session(name, true))]);
    for (const type of [1, 2, 3, 4]) {
      if (!messages.some((m) => m.type === type)) throw new Error(`capture: no ${MESSAGE_TYPES[type]} from ${name}`);
    }
    for (const f of readdirSync(outDir)) if (f.startsWith(`${name}-`) && f.endsWith('.bin')) rmSync(join(outDir, f));
    messages.forEach((m, i) => {
      const file = join(
        outDir,
        `${name}-${String(i + 1).padStart(2, '0')}-${MESSAGE_TYPES[m.type] ?? `type${m.type}`}.bin`,
      );
      writeFileSync(file, m.bytes);
      written.push(file);
    });
    console.log(`${name}: ${messages.map((m) => MESSAGE_TYPES[m.type]).join(' ')}`);
  }
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2] ?? fileURLToPath(new URL('../test/fixtures/bgp-corpus/', import.meta.url));
  const files = await capture(out);
  console.log(`wrote ${files.length} files to ${out}`);
}
