// TCP MD5 (RFC 2385) and GTSM (RFC 5082) through the native addon, between two network namespaces
// joined by a veth (192.0.2.1/24 ↔ 192.0.2.2/24), created and removed by this test. Each side is a
// child Node process inside its namespace.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDON_PATH } from '../../../src/native/index.ts';
import { nodeRouterLab, waitFor } from '../../../src/lab/bgp/index.ts';
import type { Daemon, NodeRouter } from '../../../src/lab/bgp/index.ts';

const PEER = fileURLToPath(new URL('./fixtures/tcp-peer.ts', import.meta.url));
let port = 11790;

interface Line {
  event: string;
  [k: string]: unknown;
}

function lines(d: Daemon): Line[] {
  return d
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
}

describe('native TCP options between two namespaces', () => {
  let lab: NodeRouter;

  beforeAll(async () => {
    expect(existsSync(ADDON_PATH), `addon not built at ${ADDON_PATH}: run npm ci`).toBe(true);
    lab = await nodeRouterLab();
  });
  afterAll(() => lab?.lab.destroySync());

  async function listen(opts: object): Promise<{ daemon: Daemon; port: number }> {
    const p = ++port;
    const daemon = lab.lab.spawn(`listen-${p}`, lab.router.ns, [
      process.execPath,
      PEER,
      JSON.stringify({ mode: 'listen', host: '192.0.2.2', port: p, ...opts }),
    ]);
    await waitFor(() => lines(daemon).find((l) => l.event === 'listening' || l.event === 'fatal'), {
      what: 'listener ready',
      timeoutMs: 10_000,
      diagnostics: () => daemon.output(),
    });
    expect(lines(daemon).find((l) => l.event === 'fatal')).toBeUndefined();
    return { daemon, port: p };
  }

  async function connect(p: number, opts: object): Promise<Line> {
    const d = lab.lab.spawn(`connect-${p}`, lab.node.ns, [
      process.execPath,
      PEER,
      JSON.stringify({ mode: 'connect', host: '192.0.2.2', port: p, timeoutMs: 1500, ...opts }),
    ]);
    await d.exited;
    const result = lines(d).find((l) => l.event === 'connected' || l.event === 'error' || l.event === 'fatal');
    expect(result, d.output()).toBeDefined();
    return result!;
  }

  it('same MD5 key on both sides: connects and data flows; the SYN carries a valid RFC 2385 digest', async () => {
    const { daemon, port: p } = await listen({ md5Keys: [{ peer: '192.0.2.1', key: 'ferrolb-md5' }] });
    // tcpdump -M checks the digest with the shared secret: "md5valid" / "md5 valid".
    const filter = `tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0 and dst port ${p}`;
    const dump = lab.lab.spawn(`tcpdump-${p}`, lab.router.ns, [
      'tcpdump',
      '-l',
      '-c',
      '1',
      '-v',
      '-n',
      '-M',
      'ferrolb-md5',
      '-i',
      lab.router.ifname,
      filter,
    ]);
    await waitFor(() => dump.output().includes('listening on'), {
      what: 'tcpdump ready',
      timeoutMs: 10_000,
      diagnostics: () => dump.output(),
    });
    expect(await connect(p, { md5Key: 'ferrolb-md5' })).toMatchObject({ event: 'connected', echo: 'ferrolb-ping' });
    await waitFor(() => dump.output().includes('Flags [S]'), {
      what: 'SYN captured',
      timeoutMs: 5000,
      diagnostics: () => dump.output(),
    });
    expect(dump.output()).toMatch(/md5 ?valid/);
    expect(lines(daemon).filter((l) => l.event === 'accepted')).toMatchObject([{ remote: '192.0.2.1' }]);
  });

  it('a key added to a live listener with setMd5Key takes effect', async () => {
    const { port: p } = await listen({ addKeysLive: [{ peer: '192.0.2.1', key: 'added-live' }] });
    expect(await connect(p, { md5Key: 'added-live' })).toMatchObject({ event: 'connected' });
    expect(await connect(p, {})).toMatchObject({ event: 'error', code: 'ETIMEDOUT' });
  });

  it('wrong key: the connect never completes', async () => {
    const { daemon, port: p } = await listen({ md5Keys: [{ peer: '192.0.2.1', key: 'right-key' }] });
    expect(await connect(p, { md5Key: 'wrong-key' })).toMatchObject({ event: 'error', code: 'ETIMEDOUT' });
    expect(lines(daemon).filter((l) => l.event === 'accepted')).toEqual([]);
  });

  it('key on one side only: the connect never completes (either side)', async () => {
    const keyed = await listen({ md5Keys: [{ peer: '192.0.2.1', key: 'only-listener' }] });
    expect(await connect(keyed.port, {})).toMatchObject({ event: 'error', code: 'ETIMEDOUT' });
    const plain = await listen({});
    expect(await connect(plain.port, { md5Key: 'only-client' })).toMatchObject({ event: 'error', code: 'ETIMEDOUT' });
  });

  it('IPv6: MD5 (right and wrong key) and GTSM with IPV6_MINHOPCOUNT / IPV6_UNICAST_HOPS', async () => {
    const v6 = { host: '2001:db8::2' };
    const md5 = await listen({ ...v6, md5Keys: [{ peer: '2001:db8::1', key: 'v6-key' }] });
    expect(await connect(md5.port, { ...v6, md5Key: 'v6-key' })).toMatchObject({
      event: 'connected',
      echo: 'ferrolb-ping',
    });
    expect(await connect(md5.port, { ...v6, md5Key: 'not-v6-key' })).toMatchObject({
      event: 'error',
      code: 'ETIMEDOUT',
    });
    const gtsm = await listen({ ...v6, minTtl: 255, ttl: 255 });
    expect(await connect(gtsm.port, { ...v6, ttl: 254 })).toMatchObject({ event: 'error', code: 'ETIMEDOUT' });
    expect(await connect(gtsm.port, { ...v6, ttl: 255 })).toMatchObject({
      event: 'connected',
      options: { family: 6, ttl: 255 },
    });
  });

  it('GTSM: a listener with minTtl 255 rejects TTL 254 and accepts TTL 255; accepted sockets inherit ttl', async () => {
    const { daemon, port: p } = await listen({ minTtl: 255, ttl: 255 });
    expect(await connect(p, { ttl: 254 })).toMatchObject({ event: 'error', code: 'ETIMEDOUT' });
    expect(await connect(p, { ttl: 255 })).toMatchObject({
      event: 'connected',
      echo: 'ferrolb-ping',
      options: { ttl: 255 },
    });
    expect(lines(daemon).filter((l) => l.event === 'accepted')).toMatchObject([{ ttl: 255 }]);
  });
});
