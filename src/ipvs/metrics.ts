// The IPVS syncer's Prometheus metrics, on a registry the caller passes (the speaker's) or a private one.
import { Counter, Gauge, Histogram, Registry } from '../metrics/index.ts';

export interface IpvsMetrics {
  syncs: Counter<'result'>;
  changes: Counter<'kind'>;
  duration: Histogram;
  virtualServers: Gauge;
  draining: Gauge;
  problems: Gauge;
}

export function ipvsMetrics(registry: Registry = new Registry()): IpvsMetrics {
  return {
    syncs: new Counter({
      name: 'ferrolb_ipvs_syncs_total',
      help: 'IPVS syncs by result (ok, error, disabled).',
      labelNames: ['result'],
      registers: [registry],
    }),
    changes: new Counter({
      name: 'ferrolb_ipvs_changes_total',
      help: 'Kernel changes applied, by kind (address, virtual_server, real_server, set_member, set).',
      labelNames: ['kind'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'ferrolb_ipvs_sync_duration_seconds',
      help: 'Time of one sync (read if needed, plan, apply).',
      buckets: [0.005, 0.02, 0.1, 0.5, 2, 10, 60],
      registers: [registry],
    }),
    virtualServers: new Gauge({
      name: 'ferrolb_ipvs_virtual_servers',
      help: 'Virtual servers desired.',
      registers: [registry],
    }),
    draining: new Gauge({
      name: 'ferrolb_ipvs_draining_real_servers',
      help: 'Real servers at weight 0 waiting for their connections to end.',
      registers: [registry],
    }),
    problems: new Gauge({
      name: 'ferrolb_ipvs_desired_problems',
      help: 'Problems in the last desired state (bad IPs, clashes, bad annotations).',
      registers: [registry],
    }),
  };
}
