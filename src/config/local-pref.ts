// MetalLB rejects two BGPAdvertisements that would announce the same prefix to the same peer from the
// same node with different LOCAL_PREF (validateBGPAdvPerPool / BGPAdvertisementsHaveCompatibleLocalPref).
// Node sets are unknown here (no Node objects), so nodes are taken to overlap only when both
// advertisements have the same node selectors (or none): no false alarms, the clear cases caught.
import type { BgpAdvertisement, Pool } from './model.ts';
import type { Problems } from './problems.ts';
import { selectorKey } from './selector-parse.ts';

export interface LocatedAd {
  ad: BgpAdvertisement;
  problems: Problems;
}

function sameNodes(a: BgpAdvertisement, b: BgpAdvertisement): boolean {
  const ka = a.nodeSelectors.map(selectorKey).sort().join('|');
  const kb = b.nodeSelectors.map(selectorKey).sort().join('|');
  return ka === kb;
}

function peersOverlap(a: BgpAdvertisement, b: BgpAdvertisement): boolean {
  if (a.peers.length === 0 || b.peers.length === 0) return true;
  return a.peers.some((p) => b.peers.includes(p));
}

/** True when the two advertisements produce different prefixes for this pool's families. */
function differentPrefixes(a: BgpAdvertisement, b: BgpAdvertisement, pool: Pool): boolean {
  const v4 = pool.ranges.some((r) => r.family === 'ipv4');
  const v6 = pool.ranges.some((r) => r.family === 'ipv6');
  const d4 = a.aggregationLength !== b.aggregationLength;
  const d6 = a.aggregationLengthV6 !== b.aggregationLengthV6;
  if (!v4 && !v6) return true;
  if (v4 && v6) return d4 && d6;
  return v4 ? d4 : d6;
}

export function checkLocalPrefConflicts(ads: readonly LocatedAd[], pools: readonly Pool[]): void {
  const reported = new Set<string>();
  for (const pool of pools) {
    const covering = ads.filter((x) => x.ad.pools.includes(pool.name));
    for (let j = 1; j < covering.length; j++) {
      for (let i = 0; i < j; i++) {
        const a = covering[i]!.ad;
        const b = covering[j]!.ad;
        const la = a.localPref ?? 0;
        const lb = b.localPref ?? 0;
        if (la === lb || differentPrefixes(a, b, pool) || !peersOverlap(a, b) || !sameNodes(a, b)) continue;
        const key = `${a.name}\u0000${b.name}`;
        if (reported.has(key)) continue;
        reported.add(key);
        covering[j]!.problems.add(
          'spec.localPref',
          `local preference ${lb} conflicts with ${la} of BGPAdvertisement "${a.name}" for pool "${pool.name}": both announce the same prefixes to the same peers from the same nodes`,
        );
      }
    }
  }
}
