// The controller's Prometheus metrics, in a registry of their own (no global state, so tests and the lab
// can run several controllers in one process). Pool gauges are computed at scrape time from the
// allocator's usage, so reconciles never pay for them.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolUsage } from '../allocator/types.ts';

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly allocations: Counter;
  readonly failures: Counter<'reason'>;
  readonly configStale: Gauge;
  readonly configLoads: Counter<'result'>;

  constructor(usage: () => PoolUsage[]) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'ferrolb_controller_' });
    this.allocations = new Counter({
      name: 'ferrolb_allocations_total',
      help: 'IP allocations made (new or moved), one per Service assignment',
      registers,
    });
    this.failures = new Counter({
      name: 'ferrolb_allocation_failures_total',
      help: 'Allocation attempts that failed, by reason code (PoolExhausted, RequestedIpInUse, InvalidService, ...)',
      labelNames: ['reason'],
      registers,
    });
    this.configStale = new Gauge({
      name: 'ferrolb_config_stale',
      help: '1 when the latest configuration is invalid and the last good one is still in force',
      registers,
    });
    this.configLoads = new Counter({
      name: 'ferrolb_config_loads_total',
      help: 'Configuration loads, by result (success, failure)',
      labelNames: ['result'],
      registers,
    });
    const byPool = (pick: (u: PoolUsage) => number) =>
      function (this: Gauge<'pool' | 'family'>) {
        this.reset();
        for (const u of usage()) this.set({ pool: u.pool, family: u.family }, pick(u));
      };
    new Gauge({
      name: 'ferrolb_pool_addresses_assigned',
      help: 'Addresses of the pool currently assigned to Services, by family',
      labelNames: ['pool', 'family'],
      registers,
      collect: byPool((u) => u.assigned),
    });
    new Gauge({
      name: 'ferrolb_pool_addresses_available',
      help: 'Addresses of the pool still free (after avoid-buggy-ips), by family; large IPv6 pools lose precision',
      labelNames: ['pool', 'family'],
      registers,
      collect: byPool((u) => Number(u.available)),
    });
    this.configStale.set(0);
  }
}
