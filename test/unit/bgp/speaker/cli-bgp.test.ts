// `ferrolb bgp` in-process (runBgp) against a hand-driven peer: the stable stdout lines, both the simple
// flag form and the config-file form, and a clean stop with Cease 6/2.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../src/log/index.ts';
import { formatPrefix } from '../../../../src/bgp/prefix.ts';
import { bgpCommand, runBgp } from '../../../../src/cli/bgp.ts';
import { eventually, peerOpen, rawServer } from '../session/raw-peer.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) },
    lines: () =>
      out
        .join('')
        .split('\n')
        .filter((l) => l !== ''),
    errors: () => err.join(''),
  };
}

const silent = createLogger({ level: 'silent' });

describe('ferrolb bgp', () => {
  it('simple form: prints state changes, the advertised line, and stops with Cease', async () => {
    const server = await rawServer();
    cleanups.push(() => server.close());
    const c = capture();
    const run = await runBgp(
      [
        '--peer',
        '127.0.0.1',
        '--peer-port',
        String(server.port),
        '--peer-asn',
        '64513',
        '--my-asn',
        '64512',
        '--router-id',
        '192.0.2.1',
        '--node-ipv4',
        '198.51.100.1',
        '--announce',
        '203.0.113.7',
        '--announce',
        '203.0.113.8',
        '--community',
        '64512:7',
        '--hold',
        '30',
      ],
      c.io,
      silent,
    );
    cleanups.push(async () => {
      run.stop('cease');
      await run.done;
    });
    const peer = await server.accept();
    const open = await peer.next('OPEN');
    expect(open.holdTime).toBe(30);
    peer.send(peerOpen());
    peer.send({ type: 'KEEPALIVE' });
    const u = await peer.next('UPDATE');
    expect(u.nlri.map(formatPrefix).sort()).toEqual(['203.0.113.7/32', '203.0.113.8/32']);
    await eventually(() => c.lines().some((l) => l.startsWith('all routes advertised')), 'all-advertised line');
    expect(c.lines()).toEqual([
      'peer 127.0.0.1 Connect',
      'peer 127.0.0.1 OpenSent',
      'peer 127.0.0.1 OpenConfirm',
      'peer 127.0.0.1 Established',
      'advertised peer=127.0.0.1 prefixes=2 announced=2 withdrawn=0',
      'all routes advertised sessions=1 prefixes=2',
    ]);
    // Changing the announcements while running (as the lab driver does): one more pair of lines.
    run.speaker?.setAnnouncements([{ ip: '203.0.113.7', pool: 'cli' }]);
    let w = await peer.next('UPDATE');
    while (w.withdrawn.length === 0) w = await peer.next('UPDATE'); // skip End-of-RIB markers
    expect(w.withdrawn.map(formatPrefix)).toEqual(['203.0.113.8/32']);
    expect(c.lines().slice(-2)).toEqual([
      'advertised peer=127.0.0.1 prefixes=1 announced=0 withdrawn=1',
      'all routes advertised sessions=1 prefixes=1',
    ]);
    run.stop('cease');
    expect(await run.done).toBe(0);
    const n = await peer.next('NOTIFICATION');
    expect([n.code, n.subcode]).toEqual([6, 2]);
    expect(c.lines().filter((l) => l.startsWith('all routes advertised'))).toHaveLength(2);
    expect(c.lines().slice(-4)).toEqual([
      'stopping mode=cease',
      'notification sent peer=127.0.0.1 code=6 subcode=2',
      'peer 127.0.0.1 Idle reason="administrative shutdown"',
      'stopped',
    ]);
  });

  it('config form: peers and advertisements from metallb.io CRD YAML', async () => {
    const server = await rawServer();
    const dir = await mkdtemp(join(tmpdir(), 'ferrolb-bgp-cli-'));
    cleanups.push(async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    });
    const file = join(dir, 'config.yaml');
    await writeFile(
      file,
      `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: pool-a, namespace: metallb-system}
spec: {addresses: [203.0.113.0/24]}
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: r1, namespace: metallb-system}
spec: {myASN: 64512, peerASN: 64512, peerAddress: 127.0.0.1, peerPort: ${server.port}, routerID: 192.0.2.1}
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: adv, namespace: metallb-system}
spec: {ipAddressPools: [pool-a], localPref: 250, aggregationLength: 24}
`,
    );
    const c = capture();
    const run = await runBgp(
      ['--config', file, '--announce', '203.0.113.7', '--announce', '203.0.113.9', '--node-ipv4', '198.51.100.1'],
      c.io,
      silent,
    );
    expect(c.errors()).toBe('');
    cleanups.push(async () => {
      run.stop('restart');
      await run.done;
    });
    const peer = await server.accept();
    await peer.next('OPEN');
    peer.send(peerOpen({ asn: 64512 }));
    peer.send({ type: 'KEEPALIVE' });
    const u = await peer.next('UPDATE');
    expect(u.nlri.map(formatPrefix)).toEqual(['203.0.113.0/24']);
    expect(u.attributes).toContainEqual({ type: 'LOCAL_PREF', localPref: 250 });
    run.stop('restart');
    expect(await run.done).toBe(0);
    await peer.waitClosed();
    expect(peer.received.filter((m) => m.type === 'NOTIFICATION')).toEqual([]);
  });

  it('--gr-state-file: a restart-mode stop leaves a marker and the next start sets the R bit', async () => {
    const server = await rawServer();
    const dir = await mkdtemp(join(tmpdir(), 'ferrolb-bgp-gr-'));
    cleanups.push(async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    });
    const marker = join(dir, 'gr.json');
    const args = [
      '--peer',
      '127.0.0.1',
      '--peer-port',
      String(server.port),
      '--peer-asn',
      '64513',
      '--my-asn',
      '64512',
      '--router-id',
      '192.0.2.1',
      '--node-ipv4',
      '198.51.100.1',
      '--announce',
      '203.0.113.7',
      '--graceful-restart',
      '120',
      '--gr-state-file',
      marker,
    ];
    const restartBits: boolean[] = [];
    for (const mode of ['restart', 'cease'] as const) {
      const c = capture();
      const run = await runBgp(args, c.io, silent);
      const peer = await server.accept();
      const open = await peer.next('OPEN');
      const gr = open.capabilities.find((x) => x.type === 'GRACEFUL_RESTART');
      restartBits.push(gr?.type === 'GRACEFUL_RESTART' && gr.restartState);
      peer.send(peerOpen());
      peer.send({ type: 'KEEPALIVE' });
      await eventually(() => c.lines().some((l) => l.startsWith('all routes advertised')), 'advertised');
      run.stop(mode);
      expect(await run.done).toBe(0);
      if (mode === 'restart') expect(c.lines()).not.toContainEqual(expect.stringMatching(/^graceful restart:/));
      else expect(c.lines()[0]).toMatch(/^graceful restart: stopped for graceful restart/);
    }
    expect(restartBits).toEqual([false, true]);
    // The Cease stop removed the marker: a third start would be a fresh one.
    await expect(readFile(marker, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it.each([
    [['--bogus'], 2, /unknown option --bogus/],
    [['--peer', '127.0.0.1'], 2, /--peer-asn and --my-asn/],
    [['--peer', 'not-an-ip', '--peer-asn', '1', '--my-asn', '2'], 2, /--peer "not-an-ip" is not an IP address/],
    [['--peer', '192.0.2.1', '--peer-asn', '1', '--my-asn', '2', '--hold', '2'], 2, /--hold must be 0 or 3/],
    [['--config', '/nonexistent/ferrolb.yaml'], 1, /cannot read file/],
    [[], 2, /give --config FILE or --peer ADDR/],
  ])('rejects %j with exit %i', async (args, code, message) => {
    const c = capture();
    expect(await bgpCommand(args, c.io)).toBe(code);
    expect(c.errors()).toMatch(message);
  });
});
