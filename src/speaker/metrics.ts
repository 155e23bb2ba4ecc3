// The speaker's Prometheus metrics, MetalLB's names where MetalLB has one (dashboards keep working), in
// a registry of their own. BGP session gauges and counters are read from the sessions at scrape time.
// The Layer 2 component registers its own (metallb_layer2_requests_received, _responses_sent,
// _gratuitous_sent, ferrolb_layer2_conflicts_total) in this registry.
import { Counter, Gauge, Histogram, Registry, registerProcessMetrics } from '../metrics/index.ts';

/** What the BGP side exposes per peer at scrape time (BgpSession's state and counters). */
export interface BgpPeerSample {
  peer: string;
  up: boolean;
  updatesSent: number;
  prefixesAdvertised: number;
  notificationsSent: number;
  notificationsReceived: number;
}

export class SpeakerMetrics {
  readonly registry = new Registry();
  /** metallb_speaker_announced: 1 per (ip, node, protocol, service) this node announces. */
  readonly announced: Gauge<'ip' | 'node' | 'protocol' | 'service'>;
  readonly failoverLatency: Histogram;
  readonly members: Gauge;
  readonly configStale: Gauge;
  readonly recomputes: Counter;
  readonly statusWrites: Counter<'verb' | 'result'>;
  readonly heapCollections: Counter;
  readonly heapCollectionSeconds: Counter;
  readonly releasedStartupBytes: Gauge;

  constructor(bgpPeers: () => BgpPeerSample[] = () => []) {
    const registers = [this.registry];
    registerProcessMetrics(this.registry, 'ferrolb_speaker_');
    this.announced = new Gauge({
      name: 'metallb_speaker_announced',
      help: 'Services being announced from this node (1 per IP, protocol and Service)',
      labelNames: ['ip', 'node', 'protocol', 'service'],
      registers,
    });
    this.failoverLatency = new Histogram({
      name: 'ferrolb_speaker_failover_latency_seconds',
      help: 'From a membership change to this node announcing the IPs it gained by it',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.members = new Gauge({
      name: 'ferrolb_speaker_members_alive',
      help: 'Members alive in membership, this node included',
      registers,
    });
    this.configStale = new Gauge({
      name: 'ferrolb_config_stale',
      help: '1 when the latest configuration is invalid and the last good one is still in force',
      registers,
    });
    this.recomputes = new Counter({
      name: 'ferrolb_speaker_recomputes_total',
      help: 'Announcement decisions recomputed',
      registers,
    });
    this.statusWrites = new Counter({
      name: 'ferrolb_speaker_status_writes_total',
      help: 'ServiceL2Status / ServiceBGPStatus API writes, by verb and result',
      labelNames: ['verb', 'result'],
      registers,
    });
    this.heapCollections = new Counter({
      name: 'ferrolb_speaker_heap_collections_total',
      help: 'Memory-reducing full collections asked of V8 because the committed heap had grown (heap upkeep)',
      registers,
    });
    this.heapCollectionSeconds = new Counter({
      name: 'ferrolb_speaker_heap_collection_seconds_total',
      help: 'Time spent in those collections',
      registers,
    });
    this.releasedStartupBytes = new Gauge({
      name: 'ferrolb_speaker_released_startup_bytes',
      help: "Resident bytes of node's executable released once the speaker was ready (pages only the start ran)",
      registers,
    });

    const perPeer = (name: string, help: string, pick: (s: BgpPeerSample) => number): void => {
      new Gauge({
        name,
        help,
        labelNames: ['peer'],
        registers,
        collect(this: Gauge<'peer'>) {
          this.reset();
          for (const s of bgpPeers()) this.set({ peer: s.peer }, pick(s));
        },
      });
    };
    perPeer('metallb_bgp_session_up', 'BGP session state (1 is up, 0 is down)', (s) => (s.up ? 1 : 0));
    perPeer('metallb_bgp_updates_total', 'Number of BGP UPDATE messages sent', (s) => s.updatesSent);
    perPeer(
      'metallb_bgp_announced_prefixes_total',
      'Number of prefixes currently being advertised on the BGP session',
      (s) => s.prefixesAdvertised,
    );
    perPeer('metallb_bgp_notifications_sent', 'Number of BGP NOTIFICATION messages sent', (s) => s.notificationsSent);
    perPeer(
      'ferrolb_bgp_notifications_received',
      'Number of BGP NOTIFICATION messages received',
      (s) => s.notificationsReceived,
    );
  }
}
