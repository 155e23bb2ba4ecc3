// A received UPDATE, after the codec's RFC 7606 handling: count what the handling did (treat-as-withdraw,
// attribute discard) and apply its withdrawn and announced prefixes to the Adj-RIB-In, which is kept as
// prefix keys only (the speaker advertises; it does not use what the peer sends).
import type { Logger } from 'pino';
import { updateRoutes } from '../codec/index.ts';
import type { Update } from '../codec/model.ts';
import { prefixKey } from '../routes.ts';
import type { SessionCounters } from './session-types.ts';

export function recordUpdate(u: Update, adjRibIn: Set<string>, counters: SessionCounters, log: Logger): void {
  counters.updatesReceived++;
  if (u.treatAsWithdraw) {
    counters.treatAsWithdraw++;
    log.warn({ event: 'treat-as-withdraw', errors: u.errors?.map((e) => e.message) }, 'malformed UPDATE treated as withdraw (RFC 7606)');
  }
  if (u.discarded && u.discarded.length > 0) {
    counters.attributesDiscarded += u.discarded.length;
    log.warn({ event: 'attribute-discard', attributes: u.discarded }, 'attributes discarded (RFC 7606)');
  }
  const p = updateRoutes(u);
  for (const w of p.withdrawn) adjRibIn.delete(prefixKey(w));
  for (const a of p.announced) adjRibIn.add(prefixKey(a));
  counters.prefixesReceived = adjRibIn.size;
}
