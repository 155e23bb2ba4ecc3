// 200 Layer 2 Services on 3 speakers (real API server, their own tokens): every Service ends up with
// exactly one ServiceL2Status, from the node MetalLB's rule elects, and stays so through speaker
// restarts (kill -9 and SIGTERM) and an owner leaving and coming back.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderCandidates } from '../../../src/election/index.ts';
import { startSpeakerChild, type SpeakerChild } from '../../../src/lab/speaker-child.ts';
import { freeLoopbackPort, httpGet, waitFor } from '../../../src/lab/index.ts';
import {
  createLbService,
  createNode,
  setSpeakerPod,
  setupSpeakerEnv,
  statusObjects,
  type SpeakerEnv,
} from './fixture.ts';

const COUNT = 200;
const NODES = ['n1', 'n2', 'n3'];
const CONFIG = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: lan, namespace: ferrolb-system}
spec: {addresses: [192.0.2.0/24]}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: lan, namespace: ferrolb-system}
spec: {ipAddressPools: [lan]}
`;

let env: SpeakerEnv;
const speakers = new Map<string, SpeakerChild>();
const ports = new Map<string, number>();
const ip = (i: number): string => `192.0.2.${i + 1}`;
const diagnostics = (): string =>
  [...speakers.values()].map((s) => `--- ${s.nodeName} ---\n${s.logTail(15)}`).join('\n');

async function start(node: string): Promise<void> {
  const port = ports.get(node) ?? (await freeLoopbackPort());
  ports.set(node, port);
  const s = startSpeakerChild({
    nodeName: node,
    kubeconfig: env.speakerKubeconfig,
    logPath: join(env.cluster.dir, `speaker-${node}.log`),
    metricsPort: port,
    // Host network namespace: neither Layer 2 nor IPVS may touch this machine's interfaces, sysctls or rules.
    extraArgs: ['--membership', 'pods', '--disable-layer2', '--disable-ipvs', '--pod-name', `speaker-${node}`],
  });
  speakers.set(node, s);
  await waitFor(async () => (await httpGet(port, '/readyz')).status === 200, {
    what: `${node} ready`,
    timeoutMs: 60_000,
    abort: () => s.exited(),
    diagnostics,
  });
}

/** Waits until every Service has exactly one ServiceL2Status, from the owner among `alive`. */
async function consistent(alive: string[], what: string): Promise<void> {
  let last = '';
  await waitFor(
    async () => {
      const items = await statusObjects(env, 'l2');
      const by = new Map<string, string[]>();
      for (const it of items) {
        const k = it.metadata.labels?.['metallb.io/service-name'] ?? '?';
        by.set(k, [...(by.get(k) ?? []), it.status?.node ?? '?']);
      }
      const wrong: string[] = [];
      for (let i = 0; i < COUNT; i++) {
        const got = by.get(`svc-${i}`) ?? [];
        const want = orderCandidates(alive, ip(i))[0];
        if (got.length !== 1 || got[0] !== want) wrong.push(`svc-${i}: ${got.join('+') || 'none'} (want ${want})`);
      }
      last = `${items.length} objects; ${wrong.length} wrong, e.g. ${wrong.slice(0, 5).join('; ')}`;
      return wrong.length === 0 && items.length === COUNT;
    },
    {
      what: `one ServiceL2Status per Service from its owner (${what})`,
      timeoutMs: 120_000,
      intervalMs: 500,
      diagnostics: () => `${last}\n${diagnostics()}`,
    },
  );
}

beforeAll(async () => {
  env = await setupSpeakerEnv();
  await env.cluster.apply(CONFIG);
  await env.core.createNamespace({ body: { metadata: { name: 'shop' } } });
  for (const [i, n] of NODES.entries()) {
    await createNode(env, n, `198.51.100.${i + 1}`);
    await setSpeakerPod(env, n, `198.51.100.${i + 1}`, true);
  }
  for (let i = 0; i < COUNT; i++) await createLbService(env, 'shop', `svc-${i}`, ip(i), ['n1']);
  for (const n of NODES) await start(n);
}, 600_000);

afterAll(async () => {
  for (const s of speakers.values()) s.kill('SIGKILL');
  await Promise.all([...speakers.values()].map((s) => s.waitExit()));
  await env?.stop();
});

describe('200 Services on 3 speakers', () => {
  it('each Service has exactly one ServiceL2Status, from the elected owner', async () => {
    await consistent(NODES, 'start');
  });

  it('stays consistent through a kill -9 and restart of every speaker in turn', async () => {
    for (const n of NODES) {
      const s = speakers.get(n)!;
      s.kill('SIGKILL');
      await s.waitExit();
      await start(n);
      await consistent(NODES, `after restarting ${n}`);
    }
  });

  it('an owner leaving (SIGTERM, Pod not Ready) and coming back moves its Services away and back', async () => {
    const s = speakers.get('n2')!;
    s.kill('SIGTERM');
    expect(await s.waitExit()).toBe('exited with code 0');
    await setSpeakerPod(env, 'n2', '198.51.100.2', false);
    await consistent(['n1', 'n3'], 'n2 gone');
    await setSpeakerPod(env, 'n2', '198.51.100.2', true);
    await start('n2');
    await consistent(NODES, 'n2 back');
  });
});
