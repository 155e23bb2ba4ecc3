// The membership's Prometheus metrics, in a registry the caller passes (the speaker's) or a new one.
// Member counts by state are computed at scrape time.
import { Counter, Gauge, Registry } from '../metrics/index.ts';
import type { MemberView } from './core/index.ts';

const TRAFFIC_KEYS = {
  in: { packet: 'in packet', stream: 'in stream' },
  out: { packet: 'out packet', stream: 'out stream' },
} as const;

export class MemberlistMetrics {
  readonly registry: Registry;
  readonly dropped: Counter<'reason'>;
  readonly ignored: Counter<'reason'>;
  readonly probes: Counter<'result'>;
  readonly events: Counter<'kind' | 'state'>;
  /** Octets by `${direction} ${kind}`, counted as plain numbers (per packet) and exported at scrape time. */
  readonly traffic = new Map<string, number>();

  addTraffic(direction: 'in' | 'out', kind: 'packet' | 'stream', bytes: number): void {
    // Called per datagram: the key is one of four constant strings (no string built per packet).
    const k = TRAFFIC_KEYS[direction][kind];
    this.traffic.set(k, (this.traffic.get(k) ?? 0) + bytes);
  }

  constructor(members: () => MemberView[], localHealth: () => number, registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.dropped = new Counter({
      name: 'ferrolb_memberlist_dropped_total',
      help: 'Packets and streams refused before the protocol saw them, by reason (auth-failed, replayed, stale, plaintext-refused, truncated, decode-*, stream-limit, ...)',
      labelNames: ['reason'],
      registers,
    });
    this.ignored = new Counter({
      name: 'ferrolb_memberlist_ignored_messages_total',
      help: 'Authentic messages that changed nothing, by reason (stale-alive, unknown-ack, ...)',
      labelNames: ['reason'],
      registers,
    });
    this.probes = new Counter({
      name: 'ferrolb_memberlist_probes_total',
      help: 'Probes of other members by result (ack, indirect-ack, failed)',
      labelNames: ['result'],
      registers,
    });
    this.events = new Counter({
      name: 'ferrolb_memberlist_events_total',
      help: 'Membership events by kind (join, leave, update) and new state',
      labelNames: ['kind', 'state'],
      registers,
    });
    const traffic = this.traffic;
    new Counter({
      name: 'ferrolb_memberlist_bytes_total',
      help: 'Octets sent and received on the wire (after encryption), by direction and kind (packet, stream)',
      labelNames: ['direction', 'kind'],
      registers,
      collect(this: Counter<'direction' | 'kind'>) {
        this.reset();
        for (const [k, v] of traffic) {
          const [direction, kind] = k.split(' ') as [string, string];
          this.inc({ direction, kind }, v);
        }
      },
    });
    new Gauge({
      name: 'ferrolb_memberlist_members',
      help: 'Members known by state (alive, suspect, dead, left), this node included',
      labelNames: ['state'],
      registers,
      collect(this: Gauge<'state'>) {
        const counts: Record<string, number> = { alive: 0, suspect: 0, dead: 0, left: 0 };
        for (const m of members()) counts[m.state] = (counts[m.state] ?? 0) + 1;
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'ferrolb_memberlist_local_health',
      help: 'Lifeguard local health score (0 healthy; higher: probing slowed down because this node misses acks)',
      registers,
      collect(this: Gauge) {
        this.set(localHealth());
      },
    });
  }
}
