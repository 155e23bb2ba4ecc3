// The path attribute dispatch table: type name ↔ spec, and type code → spec.
import type { PathAttributeType } from '../model.ts';
import { aggregatorAttribute } from './aggregator.ts';
import { as4AggregatorAttribute } from './as4-aggregator.ts';
import { as4PathAttribute } from './as4-path.ts';
import { asPathAttribute } from './as-path.ts';
import { atomicAggregateAttribute } from './atomic-aggregate.ts';
import { communitiesAttribute } from './communities.ts';
import { largeCommunitiesAttribute } from './large-communities.ts';
import { localPrefAttribute } from './local-pref.ts';
import { mpReachNlriAttribute } from './mp-reach-nlri.ts';
import { mpUnreachNlriAttribute } from './mp-unreach-nlri.ts';
import { multiExitDiscAttribute } from './multi-exit-disc.ts';
import { nextHopAttribute } from './next-hop.ts';
import { originAttribute } from './origin.ts';
import type { AttributeSpec } from './spec.ts';

export type KnownAttributeType = Exclude<PathAttributeType, 'UNKNOWN'>;

export const ATTRIBUTE_TABLE: { readonly [K in KnownAttributeType]: AttributeSpec<K> } = {
  ORIGIN: originAttribute,
  AS_PATH: asPathAttribute,
  NEXT_HOP: nextHopAttribute,
  MULTI_EXIT_DISC: multiExitDiscAttribute,
  LOCAL_PREF: localPrefAttribute,
  ATOMIC_AGGREGATE: atomicAggregateAttribute,
  AGGREGATOR: aggregatorAttribute,
  COMMUNITIES: communitiesAttribute,
  MP_REACH_NLRI: mpReachNlriAttribute,
  MP_UNREACH_NLRI: mpUnreachNlriAttribute,
  AS4_PATH: as4PathAttribute,
  AS4_AGGREGATOR: as4AggregatorAttribute,
  LARGE_COMMUNITIES: largeCommunitiesAttribute,
};

export type AnySpec = AttributeSpec<KnownAttributeType>;

/** Indexed by type code (0..255); undefined for codes this codec does not interpret. */
export const SPEC_BY_CODE: ReadonlyArray<AnySpec | undefined> = (() => {
  const a = new Array<AnySpec | undefined>(256).fill(undefined);
  for (const spec of Object.values(ATTRIBUTE_TABLE) as AnySpec[]) a[spec.code] = spec;
  return a;
})();

const NAMES: Record<number, string> = Object.fromEntries(
  (Object.values(ATTRIBUTE_TABLE) as AnySpec[]).map((s) => [s.code, s.type]),
);

/** `ORIGIN` for known codes, `attribute 99` otherwise (for messages). */
export function attributeName(code: number): string {
  return NAMES[code] ?? `attribute ${code}`;
}
