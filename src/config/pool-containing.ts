// Which pool holds an address: the one lookup the controller (is this Service's IP ours?) and the CLI (which
// pool does an announced IP belong to?) share.
import { parseIp } from '../net/ip.ts';
import type { Pool } from './model.ts';

/** The first pool (configuration order) whose ranges hold `ip`; undefined for none or for text that is no address. */
export function poolContaining(pools: readonly Pool[], ip: string): Pool | undefined {
  const a = parseIp(ip);
  if (!a) return undefined;
  return pools.find((p) => p.ranges.some((r) => r.family === a.family && r.first <= a.value && a.value <= r.last));
}
