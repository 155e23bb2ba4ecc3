// Layer 2 metrics: MetalLB's names (so existing dashboards keep working) plus FerroLB's ignored-by-reason,
// conflict and send-error counters.
import { Counter, Registry } from 'prom-client';

export interface L2Metrics {
  requestsReceived: Counter<'ip'>;
  responsesSent: Counter<'ip'>;
  gratuitousSent: Counter<'ip'>;
  ignored: Counter<'interface' | 'reason'>;
  conflicts: Counter<'interface' | 'ip'>;
  sendErrors: Counter<'interface' | 'code'>;
}

export function createL2Metrics(registry: Registry): L2Metrics {
  const registers = [registry];
  return {
    requestsReceived: new Counter({
      name: 'metallb_layer2_requests_received',
      help: 'Number of layer2 requests received for owned IPs',
      labelNames: ['ip'],
      registers,
    }),
    responsesSent: new Counter({
      name: 'metallb_layer2_responses_sent',
      help: 'Number of layer2 responses sent for owned IPs',
      labelNames: ['ip'],
      registers,
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
}
