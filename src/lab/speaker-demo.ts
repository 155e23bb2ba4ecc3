// The speaker part of `ferrolb lab`: three speaker "nodes" (network namespaces on a bridge), a BIRD
// router and a client namespace next to the lab's API server and controller; a Layer 2 demo Service
// reached from the client, a BGP demo Service routed by BIRD, then the owner of the Layer 2 one is
// killed and the client-seen failover is measured and printed.
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { CLIENT_IP, neighbourMac } from './speaker-net.ts';
import { OutageProbe, waitRecovered } from './outage-probe.ts';
import { SpeakerLab, setSpeakerPod, type LabApi } from './speaker-lab.ts';

export interface DemoIo {
  stdout(text: string): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}

/** A demo LoadBalancer Service from `pool`, with a (kubelet-less) endpoint on every node. */
async function demoService(
  core: CoreV1Api,
  discovery: DiscoveryV1Api,
  name: string,
  pool: string,
  nodes: string[],
): Promise<string> {
  await core.createNamespacedService({
    namespace: 'demo',
    body: {
      metadata: { name, namespace: 'demo', annotations: { 'metallb.io/address-pool': pool } },
      spec: {
        type: 'LoadBalancer',
        selector: { app: name },
        ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }],
      },
    },
  });
  await discovery.createNamespacedEndpointSlice({
    namespace: 'demo',
    body: {
      metadata: { name: `${name}-lab`, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: nodes.map((nodeName, i) => ({
        addresses: [`10.244.${i + 1}.10`],
        nodeName,
        conditions: { ready: true },
      })),
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    },
  });
  return until(`demo/${name} to get an IP from pool ${pool}`, async () => {
    const s = await core.readNamespacedService({ name, namespace: 'demo' });
    return s.status?.loadBalancer?.ingress?.[0]?.ip;
  });
}

export interface SpeakerDemo {
  lab: SpeakerLab;
  l2Ip: string;
  bgpIp: string;
}

export async function runSpeakerDemo(
  api: LabApi,
  io: DemoIo,
  opts: { prefix: string; membership: 'memberlist' | 'pods' },
): Promise<SpeakerDemo> {
  io.stdout('starting three speaker nodes (network namespaces on a bridge), a BIRD router and a client...\n');
  const lab = await SpeakerLab.start(api, {
    nodes: 3,
    prefix: opts.prefix,
    speakerArgs: ['--membership', opts.membership],
  });
  try {
    for (const n of lab.net.nodes) {
      await lab.startSpeaker(n);
      io.stdout(`speaker ${n.name} ready (netns ${n.ns}, ${n.ip})\n`);
    }
    const core = lab.core;
    const discovery = api.kubeConfig.makeApiClient(DiscoveryV1Api);
    await core.createNamespace({ body: { metadata: { name: 'demo' } } }).catch(() => undefined);
    const names = lab.net.nodes.map((n) => n.name);
    const l2Ip = await demoService(core, discovery, 'web', 'lan', names);
    const bgpIp = await demoService(core, discovery, 'api', 'wan', names);
    // What kube-proxy/IPVS does on a real node: the node's kernel accepts traffic for the LB IPs.
    lab.net.holdIps([l2Ip, bgpIp]);
    lab.net.serveTcp(80);

    await until(`the client to reach ${l2Ip}`, () => {
      try {
        lab.net.exec(lab.net.clientNs, ['ping', '-c', '1', '-W', '1', l2Ip]);
        return true;
      } catch {
        return false;
      }
    });
    const mac = neighbourMac(lab.net.clientNs, l2Ip);
    const owner = lab.net.nodes.find((n) =>
      lab.net.exec(n.ns, ['ip', '-o', 'link', 'show', n.ifname]).includes(mac ?? '-'),
    );
    io.stdout(`Layer 2: demo/web ${l2Ip} answers the client (${CLIENT_IP}) from ${owner?.name ?? mac} (ARP: ${mac})\n`);
    const hops = await until(`BIRD to route ${bgpIp}/32 through every node`, () => {
      const h = lab.bird.nextHops(`${bgpIp}/32`);
      return h.length === lab.net.nodes.length && h;
    });
    io.stdout(`BGP: demo/api ${bgpIp}/32 in BIRD via ${hops.join(', ')} (ECMP)\n`);

    if (owner) {
      const probe = new OutageProbe(lab.net.clientNs, l2Ip, 80);
      try {
        await until('the client probes to answer', () => probe.healthySince(Date.now() - 300), 30_000);
        const t = Date.now();
        lab.net.exec(owner.ns, ['ip', 'link', 'set', owner.ifname, 'down']);
        lab.speakers.get(owner.name)?.kill('SIGKILL');
        // Without gossip the others learn of a death from the speaker Pod's readiness (the kubelet's
        // job, tens of seconds in a cluster; set at once here).
        if (opts.membership === 'pods') await setSpeakerPod(core, owner.name, owner.ip, false);
        io.stdout(
          `killed ${owner.name} (kill -9 of its speaker, its link cut${opts.membership === 'pods' ? ', its Pod marked not Ready' : ''})...\n`,
        );
        // Answered again through another MAC: only then is the whole outage in the samples.
        if (!(await waitRecovered(lab.net.clientNs, [l2Ip], mac ?? '-', (since) => probe.healthySince(since), 60_000)))
          throw new Error(`timed out after 60 s waiting for the client to be answered again by another node`);
        const o = probe.outage(t);
        const nextMac = neighbourMac(lab.net.clientNs, l2Ip);
        const next = lab.net.nodes.find(
          (n) => n !== owner && lab.net.exec(n.ns, ['ip', '-o', 'link', 'show', n.ifname]).includes(nextMac ?? '-'),
        );
        io.stdout(
          `failover: ${next?.name ?? nextMac} took over ${l2Ip}; the client saw ${o.icmp?.toFixed(0) ?? '?'} ms without ping replies (every 10 ms) ` +
            `and ${o.tcp?.toFixed(0) ?? '?'} ms without a TCP connect (every 10 ms)\n`,
        );
      } finally {
        probe.stop();
      }
      lab.net.exec(owner.ns, ['ip', 'link', 'set', owner.ifname, 'up']);
      if (opts.membership === 'pods') await setSpeakerPod(core, owner.name, owner.ip, true);
      await lab.startSpeaker(owner);
      io.stdout(`${owner.name} is back\n`);
    }
    return { lab, l2Ip, bgpIp };
  } catch (err) {
    const diag = lab.diagnostics();
    await lab.stop();
    throw new Error(`${(err as Error).message}\n${diag}`);
  }
}
