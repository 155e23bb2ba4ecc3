// The controller's Prometheus metrics, in a registry of their own (no global state, so tests and the lab
// can run several controllers in one process). Pool gauges are computed at scrape time from the
// allocator's usage, so reconciles never pay for them.
import { Counter, Gauge, Registry, registerProcessMetrics } from '../metrics/index.ts';
import type { PoolUsage } from '../allocator/types.ts';

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly allocations: Counter;
  readonly failures: Counter<'reason'>;
  readonly configStale: Gauge;
  readonly configLoads: Counter<'result'>;
  readonly writeFailures: Counter<'code'>;
  readonly foreignWrites: Counter;
  readonly writesFenced: Counter;
  readonly leader: Gauge;

  constructor(usage: () => PoolUsage[]) {
    const registers = [this.registry];
    registerProcessMetrics(this.registry, 'ferrolb_controller_');
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
    this.writeFailures = new Counter({
      name: 'ferrolb_status_write_failures_total',
      help: 'Service status writes that failed, by HTTP status (422, 403, 500, ...) or "network"',
      labelNames: ['code'],
      registers,
    });
    this.foreignWrites = new Counter({
      name: 'ferrolb_status_foreign_writes_total',
      help: 'Times a Service status held IPs this controller did not write (another writer: a second controller, a user)',
      registers,
    });
    this.writesFenced = new Counter({
      name: 'ferrolb_writes_fenced_total',
      help: 'Writes refused because this replica is no longer the leader (it then steps down)',
      registers,
    });
    this.leader = new Gauge({
      name: 'ferrolb_controller_leader',
      help: '1 on the replica that holds the Lease and writes, 0 on a standby',
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
