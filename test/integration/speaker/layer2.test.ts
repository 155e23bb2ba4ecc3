// Layer 2 mode end to end: three speakers in node namespaces on a bridge (real API server, their own
// tokens, real AF_PACKET responders), the LB IPs held by every node's kernel with strict ARP, a client
// namespace. Exactly one node answers ARP for a Service IP — the owner named in its ServiceL2Status —
// and the client reaches it; the IP moves when the owner is no longer eligible (exclude label,
// NetworkUnavailable, the L2Advertisement's node selector, no longer alive) and follows a Local
// Service's endpoints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macOf } from '../../../src/lab/speaker-net.ts';
import { waitFor } from '../../../src/lab/index.ts';
import { createLbService, setEndpoints, setSpeakerPod, statusObjects } from './fixture.ts';
import { waitAnswering as waitArp } from './arp.ts';
import { expectIpvsReported } from './ipvs-host.ts';
import { startSpeakerLab, type TestLab } from './lab-fixture.ts';

let lab: TestLab;
const IP = '192.0.2.200';
const LOCAL_IP = '192.0.2.201';

const waitAnswering = (ip: string, want: (nodes: string[]) => boolean, what: string): Promise<string[]> =>
  waitArp(lab.net, ip, want, what, () => lab.diagnostics());

async function ownerOf(service: string): Promise<string> {
  return waitFor(
    async () => {
      const items = await statusObjects(lab.env, 'l2', service);
      return items.length === 1 && items[0]?.status?.node;
    },
    { what: `one ServiceL2Status for ${service}`, timeoutMs: 60_000, diagnostics: () => lab.diagnostics() },
  );
}

async function patchNode(
  name: string,
  edit: (n: {
    metadata?: { labels?: Record<string, string> };
    status?: { conditions?: { type: string; status: string }[] };
  }) => void,
  status = false,
): Promise<void> {
  const node = await lab.env.core.readNode({ name });
  edit(node as never);
  if (status) await lab.env.core.replaceNodeStatus({ name, body: node });
  else await lab.env.core.replaceNode({ name, body: node });
}

beforeAll(async () => {
  lab = await startSpeakerLab({ nodes: 3, speakerArgs: ['--membership', 'pods'] });
  lab.net.holdIps([IP, LOCAL_IP]);
  await lab.env.core.createNamespace({ body: { metadata: { name: 'shop' } } });
  await createLbService(lab.env, 'shop', 'web', IP, ['node-1']);
  await createLbService(lab.env, 'shop', 'local', LOCAL_IP, ['node-2'], { local: true });
  for (const n of lab.net.nodes) await lab.start(n);
});

afterAll(async () => {
  await lab?.stop();
});

describe('Layer 2 mode', () => {
  it('exactly the owner named in the ServiceL2Status answers ARP, and the client reaches the IP', async () => {
    const owner = await ownerOf('web');
    await waitAnswering(IP, (n) => n.length === 1 && n[0] === owner, `only ${owner} answers`);
    await waitFor(
      () => {
        lab.net.exec(lab.net.clientNs, ['ping', '-c', '1', '-W', '2', IP]);
        return true;
      },
      { what: `the client to ping ${IP}`, timeoutMs: 60_000, diagnostics: () => lab.diagnostics() },
    );
    const m = await lab.metrics(lab.net.nodes.find((n) => n.name === owner)!);
    expect(m).toMatch(/metallb_layer2_gratuitous_sent\{ip="192.0.2.200"\} [1-9]/);
    expect(m).toMatch(
      /metallb_speaker_announced\{ip="192.0.2.200",node="[^"]+",protocol="layer2",service="shop\/web"\} 1/,
    );
  });

  it('a Local Service is answered by a node with a serving endpoint, and follows its endpoints', async () => {
    await waitAnswering(LOCAL_IP, (n) => n.length === 1 && n[0] === 'node-2', 'node-2 (the only endpoint) answers');
    await setEndpoints(lab.env, 'shop', 'local', ['node-3']);
    await waitAnswering(
      LOCAL_IP,
      (n) => n.length === 1 && n[0] === 'node-3',
      'node-3 answers after the endpoint moved',
    );
    await setEndpoints(lab.env, 'shop', 'local', []);
    await waitAnswering(LOCAL_IP, (n) => n.length === 0, 'nobody answers without an endpoint');
  });

  it('the owner labelled exclude-from-external-load-balancers: the IP moves; unlabelled, it comes back', async () => {
    const owner = await ownerOf('web');
    const EX = 'node.kubernetes.io/exclude-from-external-load-balancers';
    await patchNode(owner, (n) => void (n.metadata!.labels = { ...n.metadata!.labels, [EX]: 'true' }));
    await waitAnswering(IP, (n) => n.length === 1 && n[0] !== owner, `someone other than ${owner} answers`);
    await patchNode(owner, (n) => void delete n.metadata!.labels![EX]);
    await waitAnswering(IP, (n) => n.length === 1 && n[0] === owner, `${owner} answers again`);
  });

  it('the owner NetworkUnavailable: the IP moves', async () => {
    const owner = await ownerOf('web');
    await patchNode(owner, (n) => void (n.status!.conditions = [{ type: 'NetworkUnavailable', status: 'True' }]), true);
    const moved = await waitAnswering(
      IP,
      (n) => n.length === 1 && n[0] !== owner,
      `someone other than ${owner} answers`,
    );
    expect(await ownerOf('web')).toBe(moved[0]);
    await patchNode(
      owner,
      (n) => void (n.status!.conditions = [{ type: 'NetworkUnavailable', status: 'False' }]),
      true,
    );
    await waitAnswering(IP, (n) => n.length === 1 && n[0] === owner, `${owner} answers again`);
  });

  it('the L2Advertisement node selector changed to another node: the IP moves there', async () => {
    const owner = await ownerOf('web');
    const target = owner === 'node-3' ? 'node-1' : 'node-3';
    await lab.env.cluster.apply(`apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: lan, namespace: ferrolb-system}
spec:
  ipAddressPools: [lan]
  nodeSelectors: [{matchLabels: {kubernetes.io/hostname: ${target}}}]
`);
    await waitAnswering(IP, (n) => n.length === 1 && n[0] === target, `${target} answers`);
    await lab.env.cluster.apply(`apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: lan, namespace: ferrolb-system}
spec: {ipAddressPools: [lan]}
`);
    await waitAnswering(IP, (n) => n.length === 1 && n[0] === owner, `${owner} answers again`);
  });

  it('the owner no longer alive (kill -9, its Pod not Ready): another node answers, the client follows', async () => {
    const owner = await ownerOf('web');
    const s = lab.speakers.get(owner)!;
    s.kill('SIGKILL');
    await s.waitExit();
    await setSpeakerPod(lab.env, owner, lab.net.nodes.find((n) => n.name === owner)!.ip, false);
    const next = await waitAnswering(IP, (n) => n.length === 1 && n[0] !== owner, 'another node answers');
    // The client's neighbour entry follows the gratuitous ARP of the new owner.
    const newMac = macOf(lab.net.nodes.find((n) => n.name === next[0])!.ns, 'fsp0');
    await waitFor(
      () => {
        lab.net.exec(lab.net.clientNs, ['ping', '-c', '1', '-W', '1', IP]);
        return lab.net.exec(lab.net.clientNs, ['ip', 'neigh', 'show', IP]).includes(newMac);
      },
      { what: 'client neighbour entry on the new owner', timeoutMs: 30_000, diagnostics: () => lab.diagnostics() },
    );
    await setSpeakerPod(lab.env, owner, lab.net.nodes.find((n) => n.name === owner)!.ip, true);
    await lab.start(lab.net.nodes.find((n) => n.name === owner)!);
    await waitAnswering(IP, (n) => n.length === 1 && n[0] === owner, `${owner} answers again after its restart`);
  });

  it('IPVS on by default: where the kernel has none, each speaker said so once and went on (above)', async () => {
    await expectIpvsReported(lab);
  });
});
