// metallb.io objects → the one model. Each object is read on its own (crd-*.ts), then the set is
// checked as a whole: unique names per kind, non-overlapping pools, advertisements resolved to pools
// (names, selectors, or all pools when neither is given), peers and BFD profiles referenced by name.
//
// Problems are located at `where(obj)` — by default `Kind/namespace/name` — and a path inside the
// object (`spec.addresses[1]`).
import { checkAggregation, checkOverlaps, checkReference, checkUniqueNames, type RangeAt } from './checks.ts';
import { resolveCommunity } from './community.ts';
import {
  type AdvertisementDraft,
  type BgpDraft,
  type L2Draft,
  readBgpAdvertisement,
  readL2Advertisement,
} from './crd-advertisement.ts';
import { readBfdProfile } from './crd-bfd-profile.ts';
import { type AliasDraft, readCommunityAliases } from './crd-community.ts';
import { defaultWhere, readEnvelope, type CrdObject } from './crd-envelope.ts';
import { readPeer, type PeerDraft } from './crd-peer.ts';
import { readPool, type PoolDraft } from './crd-pool.ts';
import { emptyConfig, resultOf } from './empty.ts';
import { checkLocalPrefConflicts } from './local-pref.ts';
import type {
  BfdProfile,
  BgpAdvertisement,
  Community,
  Config,
  L2Advertisement,
  ParseResult,
  Protocol,
} from './model.ts';
import { Problems } from './problems.ts';
import { matchesSelector } from './selector.ts';

export function parseCrds(objects: readonly unknown[], where?: (obj: unknown) => string): ParseResult {
  const problems = new Problems('');
  const config = buildFromCrds(
    objects.map((obj, i) => ({ obj, problems: problems.at(whereOf(where, obj, i)) })),
    problems,
  );
  return resultOf(config, problems);
}

/** The caller's where(obj), else `Kind/namespace/name` (`Kind/<unnamed #i>` without a name). */
function whereOf(where: ((obj: unknown) => string) | undefined, obj: unknown, i: number): string {
  try {
    if (where) return where(obj);
  } catch {
    // fall through: a where() that cannot describe a malformed object must not crash the parse
  }
  return defaultWhere(obj, `<unnamed #${i}>`);
}

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Builds the model from located objects (used by parseCrds and by parseFiles). */
export function buildFromCrds(
  items: readonly { obj: unknown; problems: Problems }[],
  all: Problems,
): Config | undefined {
  const before = all.count;
  const objects: CrdObject[] = [];
  for (const item of items) {
    const o = readEnvelope(item.obj, item.problems);
    if (o) objects.push(o);
  }
  const of = (kind: CrdObject['kind']): CrdObject[] => objects.filter((o) => o.kind === kind);
  for (const kind of [
    'IPAddressPool',
    'L2Advertisement',
    'BGPAdvertisement',
    'BGPPeer',
    'BFDProfile',
    'Community',
  ] as const) {
    const list = of(kind);
    checkUniqueNames(
      list.map((o) => ({ name: o.name, problems: o.problems, path: 'metadata.name' })),
      kind,
      (n) => n.problems.where,
    );
  }

  const config = emptyConfig();
  config.communityAliases = readAliases(of('Community').flatMap(readCommunityAliases));
  config.bfdProfiles = of('BFDProfile')
    .map(readBfdProfile)
    .filter((p): p is BfdProfile => p !== undefined)
    .sort(byName);

  const pools = of('IPAddressPool').map(readPool);
  const ranges: RangeAt[] = [];
  for (const [owner, d] of pools.entries()) {
    for (const r of d.ranges)
      ranges.push({
        parsed: r.parsed,
        pool: d.pool.name,
        owner,
        problems: d.obj.problems,
        path: r.path,
        order: ranges.length,
      });
  }
  checkOverlaps(ranges);

  const peers = of('BGPPeer')
    .map(readPeer)
    .filter((p): p is PeerDraft => p !== undefined);
  // References are checked against every object of the kind, valid or not, so one broken object does
  // not cascade into "unknown ..." problems elsewhere.
  const profileNames = new Set(of('BFDProfile').map((o) => o.name));
  for (const o of of('BGPPeer')) {
    const name = o.spec.bfdProfile;
    if (typeof name === 'string' && name !== '') {
      checkReference({ problems: o.problems, path: 'spec.bfdProfile' }, 'BFDProfile', name, profileNames);
    }
  }
  config.peers = peers.map((d) => d.peer).sort(byName);

  const l2 = of('L2Advertisement')
    .map(readL2Advertisement)
    .filter((d): d is L2Draft => d !== undefined);
  const bgp = of('BGPAdvertisement')
    .map(readBgpAdvertisement)
    .filter((d): d is BgpDraft => d !== undefined);
  const poolNames = new Set(of('IPAddressPool').map((o) => o.name));
  config.l2Advertisements = l2.map((d) => toL2(d, pools, poolNames)).sort(byName);
  const peerNames = new Set(of('BGPPeer').map((o) => o.name));
  const bgpAds = bgp.map((d) => ({
    ad: toBgp(d, pools, poolNames, peerNames, config.communityAliases),
    problems: d.obj.problems,
  }));
  config.bgpAdvertisements = bgpAds.map((x) => x.ad).sort(byName);

  const l2Pools = new Set(config.l2Advertisements.flatMap((a) => a.pools));
  const bgpPools = new Set(config.bgpAdvertisements.flatMap((a) => a.pools));
  const protocolsOf = (name: string): Protocol[] => {
    const out: Protocol[] = [];
    if (l2Pools.has(name)) out.push('layer2');
    if (bgpPools.has(name)) out.push('bgp');
    return out;
  };
  config.pools = pools.map((d) => ({ ...d.pool, protocols: protocolsOf(d.pool.name) })).sort(byName);
  checkLocalPrefConflicts(bgpAds, config.pools);
  return all.count > before ? undefined : config;
}

function readAliases(aliases: readonly AliasDraft[]): Record<string, Community> {
  const out: Record<string, Community> = {};
  const first = new Map<string, AliasDraft>();
  for (const a of aliases) {
    const prev = first.get(a.name);
    if (prev) {
      a.obj.problems.add(a.path, `duplicate community alias "${a.name}" (first defined in ${prev.obj.problems.where})`);
      continue;
    }
    first.set(a.name, a);
    out[a.name] = a.value;
  }
  return out;
}

/** Pool names an advertisement covers: listed ∪ selected; all pools when neither is given (MetalLB). */
function resolvePools(d: AdvertisementDraft, pools: readonly PoolDraft[], names: ReadonlySet<string>): string[] {
  if (d.poolNames.length === 0 && d.poolSelectors.length === 0) return pools.map((p) => p.pool.name).sort();
  const out = new Set<string>();
  for (const ref of d.poolNames) {
    if (checkReference({ problems: d.obj.problems, path: ref.path }, 'IPAddressPool', ref.name, names))
      out.add(ref.name);
  }
  for (const p of pools) {
    if (d.poolSelectors.some((s) => matchesSelector(s, p.pool.labels))) out.add(p.pool.name);
  }
  return [...out].sort();
}

function toL2(d: L2Draft, pools: readonly PoolDraft[], poolNames: ReadonlySet<string>): L2Advertisement {
  return {
    name: d.obj.name,
    pools: resolvePools(d, pools, poolNames),
    nodeSelectors: d.nodeSelectors,
    interfaces: d.interfaces,
  };
}

function toBgp(
  d: BgpDraft,
  pools: readonly PoolDraft[],
  poolNames: ReadonlySet<string>,
  peerNames: ReadonlySet<string>,
  aliases: Readonly<Record<string, Community>>,
): BgpAdvertisement {
  const problems = d.obj.problems;
  const covered = resolvePools(d, pools, poolNames);
  const coveredSet = new Set(covered);
  checkAggregation(
    { v4: { problems, path: 'spec.aggregationLength' }, v6: { problems, path: 'spec.aggregationLengthV6' } },
    { v4: d.aggregationLength, v6: d.aggregationLengthV6 },
    pools
      .filter((p) => coveredSet.has(p.pool.name))
      .map((p) => ({ name: p.pool.name, ranges: p.ranges.map((r) => r.parsed) })),
  );
  const communities: Community[] = [];
  for (const ref of d.communities) {
    const c = resolveCommunity(ref.name, aliases);
    if (typeof c === 'string') problems.add(ref.path, c);
    else communities.push(c);
  }
  const peers = d.peers
    .filter((ref) => checkReference({ problems, path: ref.path }, 'BGPPeer', ref.name, peerNames))
    .map((r) => r.name);
  const ad: BgpAdvertisement = {
    name: d.obj.name,
    pools: covered,
    aggregationLength: d.aggregationLength,
    aggregationLengthV6: d.aggregationLengthV6,
    communities,
    peers,
    nodeSelectors: d.nodeSelectors,
  };
  if (d.localPref !== undefined) ad.localPref = d.localPref;
  return ad;
}
