// BGP mode end to end: three speakers in node namespaces (real API server, their own token) peer with
// BIRD; every eligible node announces each Service IP (ECMP in BIRD); the exclude label and a Local
// Service's endpoints change which nodes announce; a speaker killed with SIGKILL loses its route at once
// (its TCP session closes) and a restarted one announces again.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../src/lab/index.ts';
import { createLbService, setEndpoints, waitStatusNodes } from './fixture.ts';
import { expectIpvsReported } from './ipvs-host.ts';
import { startSpeakerLab, type TestLab } from './lab-fixture.ts';

let lab: TestLab;
const hops = (prefix: string, want: string[]) =>
  waitFor(() => JSON.stringify(lab.bird.nextHops(prefix)) === JSON.stringify(want) && want, {
    what: `BIRD next hops of ${prefix} = ${want.join(', ') || 'none'}`,
    timeoutMs: 60_000,
    intervalMs: 200,
    diagnostics: () => `${lab.bird.birdc(`show route for ${prefix} all`)}\n${lab.diagnostics()}`,
  });

beforeAll(async () => {
  lab = await startSpeakerLab({ nodes: 3, speakerArgs: ['--membership', 'pods'] });
  await lab.env.core.createNamespace({ body: { metadata: { name: 'shop' } } });
  await createLbService(lab.env, 'shop', 'api', '203.0.113.1', ['node-1']);
  await createLbService(lab.env, 'shop', 'local', '203.0.113.2', ['node-3'], { local: true });
  for (const n of lab.net.nodes) await lab.start(n);
});

afterAll(async () => {
  await lab?.stop();
});

describe('BGP mode with BIRD', () => {
  it('every node announces a Cluster Service; BIRD has ECMP next hops; status names the peer', async () => {
    await hops('203.0.113.1/32', ['192.0.2.11', '192.0.2.12', '192.0.2.13']);
    const st = await waitStatusNodes(lab.env, 'bgp', 'api', ['node-1', 'node-2', 'node-3'], lab.diagnostics);
    for (const s of st) expect(s.status?.peers).toEqual(['router']);
    const m = await lab.metrics(lab.net.nodes[0]!);
    expect(m).toMatch(/metallb_bgp_session_up\{peer="router"\} 1/);
    expect(m).toMatch(
      /metallb_speaker_announced\{ip="203.0.113.1",node="node-1",protocol="bgp",service="shop\/api"\} 1/,
    );
  });

  it('a Local Service is announced only from nodes with a serving endpoint, and follows them', async () => {
    await hops('203.0.113.2/32', ['192.0.2.13']);
    await setEndpoints(lab.env, 'shop', 'local', ['node-1', 'node-2']);
    await hops('203.0.113.2/32', ['192.0.2.11', '192.0.2.12']);
    await setEndpoints(lab.env, 'shop', 'local', []);
    await hops('203.0.113.2/32', []);
  });

  it('a node labelled exclude-from-external-load-balancers withdraws; unlabelled it announces again', async () => {
    const label = async (value: string | null) => {
      const node = await lab.env.core.readNode({ name: 'node-2' });
      const labels = { ...(node.metadata?.labels ?? {}) };
      if (value === null) delete labels['node.kubernetes.io/exclude-from-external-load-balancers'];
      else labels['node.kubernetes.io/exclude-from-external-load-balancers'] = value;
      node.metadata = { ...node.metadata, labels };
      await lab.env.core.replaceNode({ name: 'node-2', body: node });
    };
    await label('true');
    await hops('203.0.113.1/32', ['192.0.2.11', '192.0.2.13']);
    await label(null);
    await hops('203.0.113.1/32', ['192.0.2.11', '192.0.2.12', '192.0.2.13']);
  });

  it('graceful restart across a speaker restart: BIRD keeps the routes while it is away, the new process sets the R bit', async () => {
    const node = lab.net.nodes[2]!;
    const stateDir = join(lab.net.dir, 'state-node-3');
    mkdirSync(stateDir, { recursive: true });
    const gr = ['--graceful-restart', '60', '--state-dir', stateDir];
    const old = lab.speakers.get(node.name)!;
    old.kill('SIGTERM');
    expect(await old.waitExit()).toBe('exited with code 0');
    await lab.start(node, gr); // GR capability advertised from now on
    await hops('203.0.113.1/32', ['192.0.2.11', '192.0.2.12', '192.0.2.13']);
    const s = lab.speakers.get(node.name)!;
    s.kill('SIGTERM');
    expect(await s.waitExit()).toBe('exited with code 0');
    expect(JSON.parse(readFileSync(join(stateDir, 'bgp-graceful-restart.json'), 'utf8'))).toMatchObject({
      restartTime: 60,
    });
    // Away: BIRD, as graceful-restart helper, keeps the route through node-3.
    expect(lab.bird.nextHops('203.0.113.1/32')).toEqual(['192.0.2.11', '192.0.2.12', '192.0.2.13']);
    expect(lab.bird.birdc('show protocols all node_3')).toMatch(/Neighbor graceful restart active/);
    await lab.start(node, gr);
    await waitFor(() => /setting the R bit/.test(readFileSync(s.logPath, 'utf8')), {
      what: 'R bit on restart',
      timeoutMs: 30_000,
      diagnostics: lab.diagnostics,
    });
    await hops('203.0.113.1/32', ['192.0.2.11', '192.0.2.12', '192.0.2.13']);
    await waitFor(() => !/Neighbor graceful restart active/.test(lab.bird.birdc('show protocols all node_3')), {
      what: 'BIRD graceful restart done',
      timeoutMs: 60_000,
      diagnostics: lab.diagnostics,
    });
  });

  it('kill -9 of a speaker withdraws its routes; restarted, it announces again', async () => {
    const s = lab.speakers.get('node-1')!;
    s.kill('SIGKILL');
    await s.waitExit();
    await hops('203.0.113.1/32', ['192.0.2.12', '192.0.2.13']);
    await lab.start(lab.net.nodes[0]!);
    await hops('203.0.113.1/32', ['192.0.2.11', '192.0.2.12', '192.0.2.13']);
  });

  it('IPVS on by default: where the kernel has none, each speaker said so once and went on (above)', async () => {
    await expectIpvsReported(lab);
  });
});
