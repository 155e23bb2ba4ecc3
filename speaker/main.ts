// FerroLB speaker: wiring only. Flags → API clients → informers → membership → NodeSpeaker (election
// via computeDesired) → Layer 2 | BGP → IPVS, status objects, Events → /metrics /healthz /readyz.
// SIGTERM/SIGINT: leave membership, stop announcing, close BGP (graceful restart when configured), stop
// the IPVS syncer leaving the kernel as it is (forwarding goes on across the restart), exit 0.
import { join } from 'node:path';
import { createLogger } from '../src/log/index.ts';
import { Layer2 } from '../src/l2/index.ts';
import { IpvsSyncer, spawnRunner } from '../src/ipvs/index.ts';
import { Memberlist } from '../src/memberlist/index.ts';
import { nodeAddresses } from '../src/speaker/cluster-view.ts';
import { clearRestartMarker, readRestartMarker, writeRestartMarker } from '../src/bgp/speaker/restart-marker.ts';
import { startHttpServer } from '../src/controller/http-server.ts';
import { ApiEventRecorder, restEventApi } from '../src/k8s/event-recorder.ts';
import { loadKubeTarget } from '../src/k8s/kubeconfig.ts';
import { KubeRest } from '../src/k8s/rest.ts';
import { speakerInformers } from '../src/k8s/speaker-informers.ts';
import { ApiStatusWriter, restStatusApi } from '../src/speaker/status-writer.ts';
import { parseSpeakerFlags } from '../src/speaker/flags.ts';
import { KeyringRotation, keyOfSecret, MEMBERLIST_SECRET_KEY } from '../src/speaker/keyring-rotation.ts';
import { LazyBgp } from '../src/speaker/lazy-bgp.ts';
import { IpvsAdapter, ipvsAdapterMetrics } from '../src/speaker/ipvs-adapter.ts';
import { probeIpvs } from '../src/speaker/ipvs-probe.ts';
import { Layer2Adapter } from '../src/speaker/layer2-adapter.ts';
import { SpeakerMetrics } from '../src/speaker/metrics.ts';
import { HeapUpkeep } from '../src/speaker/heap-upkeep.ts';
import { releaseStartupPagesLater } from '../src/speaker/startup-pages.ts';
import { nativeAddon } from '../src/native/index.ts';
import { NodeSpeaker } from '../src/speaker/node-speaker.ts';
import { MemberlistAdapter, type GossipComponent } from '../src/speaker/memberlist-adapter.ts';
import { PodMembership } from '../src/speaker/pod-membership.ts';
import { joinAddresses, peerPassword, secretValue } from '../src/speaker/pods.ts';
import type { MembershipPort } from '../src/speaker/ports.ts';
import { systemClock } from '../src/time/index.ts';

/** The modules loaded only when first needed: `--help` loads them too, so that the image's build-time start
 * check (`dist/speaker/main.mjs --help`, see the Dockerfile) runs every part of the bundle. */
const loadBgpSpeaker = () => import('../src/bgp/speaker/speaker.ts');
const loadOnFirstNeed = () => Promise.all([loadBgpSpeaker(), import('../src/bgp/bfd/udp-transport.ts')]);

const parsed = parseSpeakerFlags(process.argv.slice(2), process.env);
if (!parsed.ok) {
  if (parsed.help) await loadOnFirstNeed();
  (parsed.help ? process.stdout : process.stderr).write(`${parsed.message.trimEnd()}\n`);
  process.exit(parsed.help ? 0 : 2);
}
const flags = parsed.flags;
const log = createLogger({ level: flags.logLevel, base: { component: 'speaker', node: flags.nodeName } });
const clock = systemClock;

let rest: KubeRest;
try {
  // Four at once: the start's dozen lists queue briefly, and no more TLS connections are opened than the
  // few status writes and Events need later (the watches have their own).
  rest = new KubeRest(loadKubeTarget(flags.kubeconfig), { now: clock.now, maxSockets: 4 });
} catch (err) {
  log.fatal({ error: (err as Error).message }, 'cannot build the Kubernetes client');
  process.exit(1);
}

const shutdown = new AbortController();
const delay = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    const t = clock.setTimer(ms, resolve, { unref: true });
    shutdown.signal.addEventListener('abort', () => (t.cancel(), resolve()), { once: true });
  });
const inf = speakerInformers(rest, flags, { delay, now: () => clock.now(), log });

/** The gossip component, once the key is known: named after the node, advertising its InternalIP. */
function makeGossip(keys: Uint8Array[]): GossipComponent {
  const me = inf.nodes.get(flags.nodeName);
  const addrs = me ? nodeAddresses(me) : {};
  const advertise = flags.memberlistAdvertise ?? addrs.ipv4 ?? addrs.ipv6;
  if (Object.keys(flags.memberlistTuning).length > 0)
    log.info({ timings: flags.memberlistTuning }, 'memberlist timings changed from the defaults');
  return new Memberlist({
    name: flags.nodeName,
    keys,
    label: 'ferrolb',
    logger: log.child({ module: 'memberlist' }),
    registry: metrics.registry,
    swim: flags.memberlistTuning,
    ...(advertise !== undefined ? { advertiseAddr: advertise } : {}),
  });
}

// Membership: gossip (built once the memberlist key is known), or speaker Pods Ready via the API.
const podMembership = new PodMembership(flags.nodeName, clock, () => inf.pods.list());
let membership: MembershipPort = podMembership;
const rotation = new KeyringRotation(clock, (ring, step) => {
  log.info({ step, keys: 1 + ring.secondary.length }, 'memberlist keyring');
  if (membership !== podMembership) membership.setKeyring(ring);
});

// BGP: one BgpSpeaker; passwords from passwordSecret; graceful restart remembered in the state dir.
const marker = flags.stateDir !== undefined ? join(flags.stateDir, 'bgp-graceful-restart.json') : undefined;
const restart =
  marker !== undefined
    ? await readRestartMarker(marker, clock.wallNow())
    : { restarting: false, reason: 'no state dir' };
if (restart.restarting) log.info({ reason: restart.reason }, 'BGP graceful restart: setting the R bit');
// Loaded when a BGPPeer is first configured (or at once for a listener): a Layer 2 only node never loads it.
const bgp = new LazyBgp({
  eager: flags.bgpListenPort !== undefined,
  load: async () => {
    const { BgpSpeaker } = await loadBgpSpeaker();
    log.info({}, 'BGP peers configured: loading the BGP speaker');
    const s = new BgpSpeaker({
      node: { name: flags.nodeName, labels: {} },
      ...(flags.bgpListenPort !== undefined ? { listenPort: flags.bgpListenPort } : {}),
      ...(flags.gracefulRestart > 0
        ? { gracefulRestartTime: flags.gracefulRestart, restarting: restart.restarting }
        : {}),
      resolvePassword: (peer) => {
        const r = peerPassword(inf.secrets.list(), peer, flags.namespace);
        if (r.problem) log.error({ peer: peer.name, problem: r.problem }, 'BGP password unavailable');
        return r.password;
      },
      logger: log.child({ module: 'bgp' }),
    });
    s.on('state', (c: { peer: string; state: string; reason: string }) => log.info(c, 'BGP session state'));
    return s;
  },
  onError: (err) => log.error({ error: String(err) }, 'cannot load the BGP speaker: BGP stays off'),
});

const metrics = new SpeakerMetrics(() =>
  [...bgp.sessions()].map(([peer, s]) => ({
    peer,
    up: s.isEstablished,
    updatesSent: s.counters.updatesSent,
    prefixesAdvertised: s.counters.prefixesAdvertised,
    notificationsSent: s.counters.notificationsSent,
    notificationsReceived: s.counters.notificationsReceived,
  })),
);

// Heap upkeep (src/speaker/heap-upkeep.ts): a memory-reducing full GC once V8's committed heap has grown
// by a V8 page (256 KiB), so that an idle speaker stays at its floor instead of V8's next limit (the
// DaemonSet's command has the --expose-gc it needs).
const v8gc = (globalThis as { gc?: (o: { type: 'major'; flavor: 'last-resort' }) => void }).gc;
const upkeep = new HeapUpkeep({
  clock,
  heapCommitted: () => process.memoryUsage().heapTotal,
  collect: v8gc && (() => v8gc({ type: 'major', flavor: 'last-resort' })),
  onCollect: (before, after, ms) => {
    metrics.heapCollections.inc();
    metrics.heapCollectionSeconds.inc(ms / 1000);
    log.debug({ beforeKiB: Math.round(before / 1024), afterKiB: Math.round(after / 1024), ms }, 'heap upkeep');
  },
});
if (!upkeep.enabled) log.info({}, 'node runs without --expose-gc: no heap upkeep');
upkeep.start();

// Layer 2: answers ARP/NDP for what this node owns (metallb_layer2_* in the speaker's registry).
const layer2 = flags.disableLayer2
  ? undefined
  : new Layer2Adapter(
      new Layer2({
        clock,
        logger: log.child({ module: 'l2' }),
        registry: metrics.registry,
        ...(flags.layer2Interfaces.length > 0 ? { interfaces: flags.layer2Interfaces } : {}),
      }),
    );

let speaker: NodeSpeaker | undefined;
let server: Awaited<ReturnType<typeof startHttpServer>>;
try {
  const ready = () => speaker?.readiness() ?? { ready: false, why: 'starting: initial lists and membership' };
  server = await startHttpServer({ registry: metrics.registry, ready }, flags.metricsPort, flags.metricsHost);
} catch (err) {
  log.fatal({ error: (err as Error).message }, 'cannot start the metrics server');
  process.exit(1);
}
log.info(
  {
    server: rest.server,
    port: server.port,
    membership: flags.membership,
  },
  'speaker starting',
);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  const bgpRestart = flags.gracefulRestart > 0 && marker !== undefined;
  log.info({ signal, bgp: bgpRestart ? 'graceful restart' : 'cease' }, 'shutting down');
  if (speaker) await speaker.stop({ leaveTimeoutMs: flags.leaveTimeoutMs, bgpRestart });
  else await bgp.stop(bgpRestart ? { restart: true } : {});
  if (marker !== undefined) {
    if (bgpRestart) await writeRestartMarker(marker, clock.wallNow(), flags.gracefulRestart);
    else await clearRestartMarker(marker);
  }
  rotation.stop();
  upkeep.stop();
  shutdown.abort();
  await Promise.all(
    [inf.services, inf.slices, inf.nodes, inf.configMaps, ...inf.crds, inf.secrets, inf.pods].map((i) => i.stop()),
  );
  await server.close();
  log.info({}, 'stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

const secretsChanged = (): void => {
  const value = secretValue(inf.secrets.list(), flags.memberlistSecret, MEMBERLIST_SECRET_KEY);
  if (value !== undefined) rotation.setKey(keyOfSecret(value));
  else if (inf.secrets.synced)
    log.warn(
      { secret: `${flags.namespace}/${flags.memberlistSecret}` },
      'memberlist Secret missing: keeping the keys in use',
    );
  speaker?.changed('secrets');
};
inf.secrets.on({ onAdd: secretsChanged, onUpdate: secretsChanged, onDelete: secretsChanged, onResync: secretsChanged });
for (const i of [inf.services, inf.slices, inf.nodes, inf.configMaps, ...inf.crds, inf.secrets, inf.pods]) i.start();
await Promise.all(
  [inf.services, inf.slices, inf.nodes, inf.configMaps, ...inf.crds, inf.secrets, inf.pods].map((i) => i.whenSynced()),
);

if (flags.membership === 'memberlist') {
  // The gossip key comes from the memberlist Secret (the controller creates it): wait for it.
  for (let waited = 0; rotation.keyring === undefined && !shutdown.signal.aborted; waited += 2000) {
    if (waited % 30_000 === 0)
      log.warn({ secret: `${flags.namespace}/${flags.memberlistSecret}` }, 'waiting for the memberlist Secret');
    await delay(2000);
  }
  const ring = rotation.keyring;
  const gossip = ring ? makeGossip([ring.primary, ...ring.secondary]) : undefined;
  if (gossip)
    membership = new MemberlistAdapter(gossip, clock, flags.nodeName, {
      addr: flags.memberlistBind,
      port: flags.memberlistPort,
    });
}

// IPVS: this node forwards every LoadBalancer IP of this installation to its endpoints (unless
// --disable-ipvs). Node IPs (kube-proxy's SOURCE-IP rule) are read once, now that Nodes are listed.
function makeIpvs(): IpvsAdapter | undefined {
  if (flags.disableIpvs) {
    log.info({}, 'IPVS disabled (--disable-ipvs): nothing programmed on this node');
    return undefined;
  }
  const me = inf.nodes.get(flags.nodeName);
  const addrs = me ? nodeAddresses(me) : {};
  const ipvsLog = log.child({ module: 'ipvs' });
  const syncer = new IpvsSyncer(
    { clock, logger: ipvsLog, registry: metrics.registry },
    {
      interface: flags.ipvsInterface,
      nodeName: flags.nodeName,
      nodeIPs: [addrs.ipv4, addrs.ipv6].filter((a): a is string => a !== undefined),
      defaultScheduler: flags.ipvsScheduler,
      drainTimeoutMs: flags.ipvsDrainTimeout * 1000,
      resyncMs: flags.ipvsResync * 1000,
      firewall: !flags.ipvsNoFirewall,
      masquerade: !flags.ipvsNoMasquerade,
      sysctls: !flags.ipvsNoSysctls,
    },
  );
  const iptables = !flags.ipvsNoFirewall || !flags.ipvsNoMasquerade;
  return new IpvsAdapter({
    syncer,
    probe: () => probeIpvs(spawnRunner, { interface: flags.ipvsInterface, iptables }),
    clock,
    log: ipvsLog,
    metrics: ipvsAdapterMetrics(metrics.registry),
  });
}
const ipvs = makeIpvs();

const myPod = () => (flags.podName ? inf.pods.list().find((p) => p.metadata?.name === flags.podName) : undefined);
const node = (speaker = new NodeSpeaker({
  options: {
    myNode: flags.nodeName,
    debounceMs: flags.debounceMs,
    ignoreExcludeLabel: flags.ignoreExcludeLb,
    ...(flags.lbClass !== undefined ? { lbClass: flags.lbClass } : {}),
  },
  clock,
  log,
  source: {
    synced: () =>
      [inf.services, inf.slices, inf.nodes, inf.configMaps, ...inf.crds, inf.secrets, inf.pods].every((i) => i.synced),
    services: () => inf.services.list(),
    slices: () => inf.slices.list(),
    nodes: () => inf.nodes.list(),
    configInputs: () => ({
      configMap: inf.configMaps.get(`${flags.configNamespace}/${flags.configName}`),
      crds: inf.crds.flatMap((i) => i.list()),
      configMapRef: { namespace: flags.configNamespace, name: flags.configName },
    }),
  },
  membership,
  ...(layer2 ? { layer2 } : {}),
  bgp,
  ...(ipvs ? { ipvs } : {}),
  status: new ApiStatusWriter({
    api: restStatusApi(rest, flags.namespace),
    namespace: flags.namespace,
    node: flags.nodeName,
    owner: () => {
      const p = myPod();
      return p?.metadata?.uid && p.metadata.name
        ? { apiVersion: 'v1', kind: 'Pod', name: p.metadata.name, uid: p.metadata.uid, controller: false }
        : undefined;
    },
    log,
    count: (verb, result) => metrics.statusWrites.inc({ verb, result }),
  }),
  events: new ApiEventRecorder(
    restEventApi(rest),
    log,
    flags.podName ?? flags.nodeName,
    () => new Date(clock.wallNow()),
    'ferrolb-speaker',
  ),
  metrics,
}));

const on = (cause: Parameters<NodeSpeaker['changed']>[0]) => ({
  onAdd: () => node.changed(cause),
  onUpdate: () => node.changed(cause),
  onDelete: () => node.changed(cause),
  onResync: () => node.changed(cause),
});
for (const i of [inf.services, inf.slices, inf.nodes]) i.on(on('k8s'));
for (const i of [inf.configMaps, ...inf.crds]) i.on(on('config'));
let joined = new Set<string>();
const podsChanged = (): void => {
  podMembership.refresh();
  if (membership === podMembership) return;
  const addrs = joinAddresses(inf.pods.list(), flags.nodeName, flags.memberlistPort).filter((a) => !joined.has(a));
  if (addrs.length === 0) return;
  joined = new Set([...joined, ...addrs]);
  membership.join(addrs).then(
    (n) => log.info({ addresses: addrs, answered: n }, 'joined'),
    (err: unknown) => log.warn({ addresses: addrs, error: String(err) }, 'join failed'),
  );
};
inf.pods.on({ onAdd: podsChanged, onUpdate: podsChanged, onDelete: podsChanged });
await membership.start();
await bgp.start();
podsChanged();
node.membershipStarted();
node.changed('config');
log.info(
  { alive: [...membership.alive()], membership: membership === podMembership ? 'pods' : 'memberlist' },
  'speaker ready to announce',
);

// The pages of node's executable only the start ran (src/speaker/startup-pages.ts), released once.
releaseStartupPagesLater(
  {
    clock,
    release: () => nativeAddon().releaseExecutablePages(),
    onRelease: (r) => {
      metrics.releasedStartupBytes.set(r.bytes);
      log.info({ MiB: Math.round(r.bytes / 104857.6) / 10, mappings: r.mappings }, "released the start's code pages");
    },
    onError: (err) => log.warn({ error: String(err) }, "cannot release the start's code pages: they stay mapped"),
  },
  flags.releaseStartupPages * 1000,
);
