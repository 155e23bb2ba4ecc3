// The lab's speaker demo against a real API server and the real controller: the Layer 2 demo Service is
// reached from the client, the BGP one is in BIRD through every node, and the failover after killing the
// owner is measured and printed.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSpeakerDemo, type SpeakerDemo } from '../../../src/lab/speaker-demo.ts';
import { freeLoopbackPort, startControllerChild, waitFor, type ControllerChild } from '../../../src/lab/index.ts';
import { setupSpeakerEnv, type SpeakerEnv } from './fixture.ts';

let env: SpeakerEnv | undefined;
let controller: ControllerChild | undefined;
let demo: SpeakerDemo | undefined;

afterAll(async () => {
  await demo?.lab.stop();
  controller?.kill('SIGKILL');
  await controller?.waitExit();
  await env?.stop();
});

describe('ferrolb lab: speaker demo', () => {
  it('reaches the Layer 2 Service, routes the BGP one through every node, measures a failover', async () => {
    env = await setupSpeakerEnv();
    const port = await freeLoopbackPort();
    const c = (controller = startControllerChild({
      kubeconfig: await env.cluster.serviceAccountKubeconfig('ferrolb-system', 'controller'),
      metricsPort: port,
      logPath: join(env.cluster.dir, 'controller.log'),
    }));
    await waitFor(async () => (await c.get('/healthz')).status === 200, {
      what: 'controller',
      timeoutMs: 60_000,
      abort: () => c.exited(),
    });
    const out: string[] = [];
    demo = await runSpeakerDemo(
      env.cluster,
      { stdout: (t) => out.push(t) },
      { prefix: `fsp${process.pid % 100000}`, membership: 'memberlist' },
    );
    const text = out.join('');
    expect(text).toMatch(/Layer 2: demo\/web 192\.0\.2\.2\d\d answers the client \(192\.0\.2\.2\) from node-\d/);
    expect(text).toMatch(
      /BGP: demo\/api 203\.0\.113\.\d+\/32 in BIRD via 192\.0\.2\.11, 192\.0\.2\.12, 192\.0\.2\.13 \(ECMP\)/,
    );
    expect(text).toMatch(/failover: \S+ took over 192\.0\.2\.200; the client saw \d+ ms without ping replies/);
    console.log(text);
  });
});
