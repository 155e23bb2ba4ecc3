// The speaker lab for integration tests: a real API server (manifests applied), N node namespaces on a
// bridge with a speaker process in each (its own ServiceAccount token, reaching the API server through
// Unix-socket forwarders), a BIRD router peering with every node, a client namespace. Cleans up all of
// it, also when setup fails half way.
import { request } from 'node:http';
import { join } from 'node:path';
import type { Server } from 'node:net';
import { forward } from '../../../src/lab/forward.ts';
import { BirdRouter, NODE_ASN, ROUTER_ASN } from '../../../src/lab/bird-router.ts';
import { startSpeakerChild, type SpeakerChild } from '../../../src/lab/speaker-child.ts';
import { ROUTER_IP, SpeakerNet, removeLeftoverNamespaces, type NetNode } from '../../../src/lab/speaker-net.ts';
import { waitFor } from '../harness/index.ts';
import { NS, createNode, setSpeakerPod, setupSpeakerEnv, type SpeakerEnv } from './fixture.ts';

export const METRICS_PORT = 7473;

export const LAB_CONFIG = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: lan, namespace: ferrolb-system}
spec: {addresses: [192.0.2.200-192.0.2.250]}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: lan, namespace: ferrolb-system}
spec: {ipAddressPools: [lan]}
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: wan, namespace: ferrolb-system}
spec: {addresses: [203.0.113.0/26]}
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: wan, namespace: ferrolb-system}
spec: {ipAddressPools: [wan]}
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: router, namespace: ferrolb-system}
spec: {peerAddress: ${ROUTER_IP}, peerASN: ${ROUTER_ASN}, myASN: ${NODE_ASN}, holdTime: 9s}
`;

export interface SpeakerLab {
  env: SpeakerEnv;
  net: SpeakerNet;
  bird: BirdRouter;
  speakers: Map<string, SpeakerChild>;
  start(node: NetNode, extraArgs?: string[]): Promise<SpeakerChild>;
  metrics(node: NetNode): Promise<string>;
  diagnostics(): string;
  stop(): Promise<void>;
}

export function getUnix(socketPath: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path, method: 'GET', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}

export async function startSpeakerLab(opts: { nodes: number; speakerArgs?: string[] }): Promise<SpeakerLab> {
  const prefix = `fsp${process.pid % 100000}`;
  removeLeftoverNamespaces(prefix);
  const env = await setupSpeakerEnv();
  let net: SpeakerNet | undefined;
  let hostForward: Server | undefined;
  const speakers = new Map<string, SpeakerChild>();
  const stop = async (): Promise<void> => {
    for (const s of speakers.values()) s.kill('SIGKILL');
    await Promise.all([...speakers.values()].map((s) => s.waitExit()));
    hostForward?.close();
    net?.destroy();
    await env.stop();
  };
  try {
    net = SpeakerNet.create(prefix, opts.nodes);
    const n = net;
    const apiPort = Number(new URL(env.cluster.server).port);
    const apiSock = join(n.dir, 'api.sock');
    hostForward = await forward({ kind: 'unix', path: apiSock }, { kind: 'tcp', host: '127.0.0.1', port: apiPort });
    for (const node of n.nodes) {
      await n.forwardInto(node.ns, apiPort, apiSock);
      await n.forwardOut(node.ns, join(n.dir, `metrics-${node.name}.sock`), METRICS_PORT);
      await createNode(env, node.name, node.ip);
      await setSpeakerPod(env, node.name, node.ip, true);
    }
    await env.cluster.apply(LAB_CONFIG);
    const bird = BirdRouter.start(n, ROUTER_IP);
    const diagnostics = (): string =>
      [...speakers.values()].map((s) => `--- speaker ${s.nodeName} ---\n${s.logTail(25)}`).join('\n') + `\n--- bird ---\n${bird.birdc('show protocols')}`;
    const lab: SpeakerLab = {
      env,
      net: n,
      bird,
      speakers,
      async start(node, extraArgs = []) {
        const s = startSpeakerChild({
          nodeName: node.name,
          netns: node.ns,
          kubeconfig: env.speakerKubeconfig,
          logPath: join(env.cluster.dir, `speaker-${node.name}.log`),
          metricsPort: METRICS_PORT,
          extraArgs: ['--pod-name', `speaker-${node.name}`, '--log-level', 'debug', ...(opts.speakerArgs ?? []), ...extraArgs],
        });
        speakers.set(node.name, s);
        await waitFor(async () => (await getUnix(join(n.dir, `metrics-${node.name}.sock`), '/readyz')).status === 200, {
          what: `speaker ${node.name} /readyz`,
          timeoutMs: 60_000,
          abort: () => s.exited(),
          diagnostics,
        });
        return s;
      },
      async metrics(node) {
        return (await getUnix(join(n.dir, `metrics-${node.name}.sock`), '/metrics')).body;
      },
      diagnostics,
      stop,
    };
    return lab;
  } catch (err) {
    await stop();
    throw err;
  }
}

export { NS };
