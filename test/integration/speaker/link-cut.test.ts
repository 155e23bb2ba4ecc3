// The owner node's link cut while its speaker stays alive (issue 13: "a cut of its link → another node
// takes over"): three speakers with gossip membership in node namespaces on a bridge, a client pinging
// and connecting to the Layer 2 IP. The cut is made on the switch side, so the node's speaker keeps
// running and, alone in its own view, keeps announcing into the void: once by an nftables drop on the
// node's bridge port (the link stays up, nothing tells the node), once by its bridge port going down
// (the node sees no carrier). Another node takes over — the client's ping and TCP connects recover
// through its MAC and its ServiceL2Status names it — and after the link comes back exactly one node
// answers ARP again, the one MetalLB's rule picks, with one ServiceL2Status. Bounded polling waits only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../src/lab/index.ts';
import { OutageProbe } from '../../../src/lab/outage-probe.ts';
import { SpeakerLab } from '../../../src/lab/speaker-lab.ts';
import { macOf, neighbourMac, type NetNode } from '../../../src/lab/speaker-net.ts';
import { answeringNodes, waitAnswering as waitArp } from './arp.ts';
import { createLbService, setupSpeakerEnv, statusObjects, type SpeakerEnv } from './fixture.ts';

const IP = '192.0.2.200';
const PORT = 8080;
const PREFIX = `ff${process.pid % 100000}`;

let env: SpeakerEnv;
let lab: SpeakerLab;

const node = (name: string): NetNode => lab.net.nodes.find((n) => n.name === name)!;
/** The node's veth on the switch side (its bridge port), as SpeakerNet names it. */
const bridgePort = (name: string): string => `fspv-n${lab.net.nodes.indexOf(node(name)) + 1}`;
const answering = (count = 2): string[] => answeringNodes(lab.net, IP, count);
const waitAnswering = (want: (nodes: string[]) => boolean, what: string): Promise<string[]> =>
  waitArp(lab.net, IP, want, what, () => lab.diagnostics(), 90_000);

async function l2StatusNodes(): Promise<string[]> {
  return (await statusObjects(env, 'l2', 'web')).map((i) => i.status?.node ?? '?').sort();
}

async function everySpeakerSees(members: number): Promise<void> {
  for (const n of lab.net.nodes) {
    await waitFor(
      async () => new RegExp(`ferrolb_speaker_members_alive ${members}\\b`).test((await lab.get(n, '/metrics')).body),
      { what: `${n.name} sees ${members} members alive`, timeoutMs: 90_000, diagnostics: () => lab.diagnostics() },
    );
  }
}

beforeAll(async () => {
  env = await setupSpeakerEnv();
  try {
    lab = await SpeakerLab.start(env.cluster, {
      nodes: 3,
      prefix: PREFIX,
      speakerArgs: ['--membership', 'memberlist', '--log-level', 'debug'],
    });
    await env.core.createNamespacedSecret({
      namespace: 'ferrolb-system',
      body: {
        metadata: { name: 'memberlist' },
        data: { secretkey: Buffer.from('ff-link-cut-test-key').toString('base64') },
      },
    });
    lab.net.holdIps([IP]);
    lab.net.serveTcp(PORT);
    await env.core.createNamespace({ body: { metadata: { name: 'shop' } } });
    await createLbService(env, 'shop', 'web', IP, ['node-1', 'node-2', 'node-3']);
    for (const n of lab.net.nodes) await lab.startSpeaker(n);
    await everySpeakerSees(3);
  } catch (err) {
    await lab?.stop();
    await env.stop();
    throw err;
  }
});

afterAll(async () => {
  await lab?.stop(); // the namespaces go, with the nft table in the switch namespace
  await env?.stop();
});

/**
 * Cuts the owner's link with `cut`, checks another node takes over for the client, restores the link
 * with `restore` and checks exactly one node answers again, steadily.
 */
async function cutAndRestore(cut: (port: string) => void, restore: (port: string) => void): Promise<void> {
  const [owner] = await waitAnswering((n) => n.length === 1, 'one node answers');
  const victim = owner as string;
  await waitFor(async () => JSON.stringify(await l2StatusNodes()) === JSON.stringify([victim]), {
    what: `the ServiceL2Status of shop/web names ${victim}`,
    timeoutMs: 60_000,
    diagnostics: () => lab.diagnostics(),
  });
  const pids = new Map(lab.net.nodes.map((n) => [n.name, lab.speakers.get(n.name)!.pid]));
  const probe = new OutageProbe(lab.net.clientNs, IP, PORT);
  try {
    await waitFor(() => probe.healthySince(Date.now() - 500), {
      what: 'the client probes (ping, TCP) answered before the cut',
      timeoutMs: 60_000,
    });
    const t = Date.now();
    cut(bridgePort(victim));
    try {
      const [next] = await waitAnswering((n) => n.length === 1 && n[0] !== victim, 'another node answers');
      const successor = next as string;
      const answeredAt = Date.now();
      const mac = macOf(node(successor).ns, 'fsp0');
      await waitFor(() => probe.healthySince(answeredAt) && neighbourMac(lab.net.clientNs, IP) === mac, {
        what: `the client's ping and TCP connects answered through ${successor}'s MAC`,
        timeoutMs: 60_000,
        diagnostics: () =>
          `client neighbour: ${lab.net.exec(lab.net.clientNs, ['ip', 'neigh', 'show', IP])}\n${lab.diagnostics()}`,
      });
      await waitFor(async () => (await l2StatusNodes()).includes(successor), {
        what: `a ServiceL2Status of shop/web naming ${successor}`,
        timeoutMs: 60_000,
        diagnostics: () => lab.diagnostics(),
      });
      // The cut node's speaker never died: the cut is all that happened to it.
      expect(lab.speakers.get(victim)!.exited()).toBeUndefined();
      const o = probe.outage(t);
      // Reported, not asserted (no timed assertions): the failover the client saw.
      console.log(
        `link of ${victim} cut: ${successor} took over; the client saw ${o.icmp?.toFixed(0)} ms without ping replies, ${o.tcp?.toFixed(0)} ms without a TCP connect`,
      );
    } finally {
      restore(bridgePort(victim));
    }
    // Whole again: every speaker sees every member, and the owner by MetalLB's rule (the node that
    // owned the IP before the cut: nothing else changed) is again the only one answering.
    await everySpeakerSees(3);
    await waitAnswering((n) => n.length === 1 && n[0] === victim, `only ${victim} answers after the restore`);
    // Steady state: several rounds of ARP requests, each answered by exactly one MAC, always the same.
    for (let round = 0; round < 4; round++) expect(answering(3)).toEqual([victim]);
    await waitFor(async () => JSON.stringify(await l2StatusNodes()) === JSON.stringify([victim]), {
      what: `exactly one ServiceL2Status of shop/web, naming ${victim}`,
      timeoutMs: 60_000,
      diagnostics: () => lab.diagnostics(),
    });
    const back = Date.now();
    const mac = macOf(node(victim).ns, 'fsp0');
    await waitFor(() => probe.healthySince(back) && neighbourMac(lab.net.clientNs, IP) === mac, {
      what: `the client answered through ${victim}'s MAC again`,
      timeoutMs: 60_000,
      diagnostics: () => lab.diagnostics(),
    });
    // No speaker restarted along the way.
    for (const n of lab.net.nodes) expect(lab.speakers.get(n.name)!.pid).toBe(pids.get(n.name));
  } finally {
    probe.stop();
  }
}

describe("the owner's link cut, its speaker alive", () => {
  it('dropped at its bridge port (nftables; the link stays up): another node takes over; restored, one node answers', async () => {
    const table = 'ffcut';
    await cutAndRestore(
      (port) =>
        lab.net.exec(lab.net.switchNs, [
          'nft',
          `add table bridge ${table} { chain cut { type filter hook forward priority 0; iifname "${port}" drop; oifname "${port}" drop; }; }`,
        ]),
      () => lab.net.exec(lab.net.switchNs, ['nft', 'delete', 'table', 'bridge', table]),
    );
  });

  it('its bridge port down (the node loses carrier): another node takes over; restored, one node answers', async () => {
    await cutAndRestore(
      (port) => lab.net.exec(lab.net.switchNs, ['ip', 'link', 'set', port, 'down']),
      (port) => lab.net.exec(lab.net.switchNs, ['ip', 'link', 'set', port, 'up']),
    );
  });
});
