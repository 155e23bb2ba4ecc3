// Layer 2 metrics: MetalLB's names (so existing dashboards keep working) plus FerroLB's ignored-by-reason,
// conflict and send-error counters. The per-frame counts (requests, responses, ignored) are plain numbers
// on the hot path and reach the counters when they are read (collect): a labelled inc() per
// frame would cost more than deciding the frame.
import { Counter, Registry } from '../metrics/index.ts';

export interface L2Metrics {
  requestsReceived: Counter<'ip'>;
  responsesSent: Counter<'ip'>;
  gratuitousSent: Counter<'ip'>;
  ignored: Counter<'interface' | 'reason'>;
  conflicts: Counter<'interface' | 'ip'>;
  sendErrors: Counter<'interface' | 'code'>;
  /** Hot-path counts, flushed into the counters above whenever any of them is collected. */
  hot: HotCounts;
}

/** Counts kept as numbers between scrapes. */
export class HotCounts {
  readonly requests = new Map<string, number>();
  readonly responses = new Map<string, number>();
  /** interface → reason → count. */
  readonly ignored = new Map<string, Map<string, number>>();

  request(ip: string): void {
    this.requests.set(ip, (this.requests.get(ip) ?? 0) + 1);
  }

  response(ip: string): void {
    this.responses.set(ip, (this.responses.get(ip) ?? 0) + 1);
  }

  ignore(ifname: string, reason: string): void {
    let m = this.ignored.get(ifname);
    if (!m) this.ignored.set(ifname, (m = new Map()));
    m.set(reason, (m.get(reason) ?? 0) + 1);
  }
}

function flush(hot: HotCounts, m: Omit<L2Metrics, 'hot'>): void {
  for (const [ip, n] of hot.requests) m.requestsReceived.inc({ ip }, n);
  for (const [ip, n] of hot.responses) m.responsesSent.inc({ ip }, n);
  for (const [ifname, reasons] of hot.ignored)
    for (const [reason, n] of reasons) m.ignored.inc({ interface: ifname, reason }, n);
  hot.requests.clear();
  hot.responses.clear();
  hot.ignored.clear();
}

export function createL2Metrics(registry: Registry): L2Metrics {
  const registers = [registry];
  const hot = new HotCounts();
  // Called by the registry when a counter is read, after `m` exists.
  const collect = (): void => flush(hot, m);
  const m: Omit<L2Metrics, 'hot'> = {
    requestsReceived: new Counter({
      name: 'metallb_layer2_requests_received',
      help: 'Number of layer2 requests received for owned IPs',
      labelNames: ['ip'],
      registers,
      collect,
    }),
    responsesSent: new Counter({
      name: 'metallb_layer2_responses_sent',
      help: 'Number of layer2 responses sent for owned IPs',
      labelNames: ['ip'],
      registers,
      collect,
    }),
    gratuitousSent: new Counter({
      name: 'metallb_layer2_gratuitous_sent',
      help: 'Number of gratuitous layer2 packets sent for owned IPs',
      labelNames: ['ip'],
      registers,
    }),
    ignored: new Counter({
      name: 'ferrolb_layer2_ignored_total',
      help: 'ARP/NDP frames received and not answered, by reason',
      labelNames: ['interface', 'reason'],
      registers,
      collect,
    }),
    conflicts: new Counter({
      name: 'ferrolb_layer2_conflicts_total',
      help: 'Another MAC claimed an owned IP (ARP reply, gratuitous ARP or NA)',
      labelNames: ['interface', 'ip'],
      registers,
    }),
    sendErrors: new Counter({
      name: 'ferrolb_layer2_send_errors_total',
      help: 'Frames the kernel refused to send, by errno',
      labelNames: ['interface', 'code'],
      registers,
    }),
  };
  return { ...m, hot };
}
