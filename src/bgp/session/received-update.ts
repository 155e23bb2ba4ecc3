// A received UPDATE, after the codec's RFC 7606 handling: count what the handling did (treat-as-withdraw,
// attribute discard) and apply its withdrawn and announced prefixes to the Adj-RIB-In, which is kept as
// prefix keys only (the speaker advertises; it does not use what the peer sends). RFC 7313 §4: between a
// peer's BoRR and EoRR for a family, prefixes it does not announce again are stale and go at EoRR.
import type { Family } from '../../net/family.ts';
import { updateRoutes } from '../codec/index.ts';
import type { Update } from '../codec/model.ts';
import { prefixKey } from '../routes.ts';
import type { SessionCounters } from './session-types.ts';

/** How the session reports an error in what the peer sent (rate-limited, counted per reason). */
export type ReportError = (reason: string, fields: Record<string, unknown>, msg: string) => void;

export class AdjRibIn {
  private readonly keys = new Set<string>();
  /** Per family in an enhanced route refresh: prefixes not announced again since BoRR. */
  private readonly stale = new Map<Family, Set<string>>();

  get size(): number {
    return this.keys.size;
  }

  clear(): void {
    this.keys.clear();
    this.stale.clear();
  }

  withdraw(key: string): void {
    this.keys.delete(key);
    for (const s of this.stale.values()) s.delete(key);
  }

  announce(key: string): void {
    this.keys.add(key);
    for (const s of this.stale.values()) s.delete(key);
  }

  /** BoRR: every prefix of `family` held now is stale until announced again. */
  beginRefresh(family: Family): void {
    this.stale.set(family, new Set([...this.keys].filter((k) => k.startsWith(`${family}:`))));
  }

  /** EoRR: drops the prefixes of `family` still stale; returns how many (0 without a BoRR before). */
  endRefresh(family: Family): number {
    const s = this.stale.get(family);
    if (!s) return 0;
    for (const k of s) this.keys.delete(k);
    this.stale.delete(family);
    return s.size;
  }
}

export function recordUpdate(u: Update, adjRibIn: AdjRibIn, counters: SessionCounters, report: ReportError): void {
  counters.updatesReceived++;
  if (u.treatAsWithdraw) {
    counters.treatAsWithdraw++;
    report(
      'treat-as-withdraw',
      { event: 'treat-as-withdraw', errors: u.errors?.map((e) => e.message) },
      'malformed UPDATE treated as withdraw (RFC 7606)',
    );
  }
  if (u.discarded && u.discarded.length > 0) {
    counters.attributesDiscarded += u.discarded.length;
    report(
      'attribute-discard',
      { event: 'attribute-discard', attributes: u.discarded },
      'attributes discarded (RFC 7606)',
    );
  }
  const p = updateRoutes(u);
  for (const w of p.withdrawn) adjRibIn.withdraw(prefixKey(w));
  for (const a of p.announced) adjRibIn.announce(prefixKey(a));
  counters.prefixesReceived = adjRibIn.size;
}
