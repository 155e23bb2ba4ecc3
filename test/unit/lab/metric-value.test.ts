import { describe, expect, it } from 'vitest';
import { metricValue } from '../../../src/lab/index.ts';

const text = `# HELP ferrolb_config_stale x
# TYPE ferrolb_config_stale gauge
ferrolb_config_stale 1
ferrolb_allocation_failures_total{reason="PoolExhausted"} 3
ferrolb_pool_addresses_assigned{pool="default",family="ipv4"} 12
ferrolb_pool_addresses_assigned{pool="default",family="ipv6"} 2
`;

describe('metricValue', () => {
  it('finds samples by name and exact labels', () => {
    expect(metricValue(text, 'ferrolb_config_stale')).toBe(1);
    expect(metricValue(text, 'ferrolb_allocation_failures_total', { reason: 'PoolExhausted' })).toBe(3);
    expect(metricValue(text, 'ferrolb_pool_addresses_assigned', { pool: 'default', family: 'ipv6' })).toBe(2);
  });
  it('answers undefined when absent or when labels differ', () => {
    expect(metricValue(text, 'ferrolb_config_loads_total')).toBeUndefined();
    expect(metricValue(text, 'ferrolb_pool_addresses_assigned', { pool: 'default' })).toBeUndefined();
  });
});
