// MetalLB's legacy configuration (the YAML inside the ConfigMap's data.config, MetalLB ≤ 0.12,
// internal/config/config.go `configFile`), field for field, into the one model.
//
// Mapping: each pool keeps its protocol (Pool.protocols = [protocol]); a layer2 pool gets an implicit
// L2Advertisement named "<pool>-l2" (all nodes, all interfaces); a bgp pool gets one BgpAdvertisement per
// `bgp-advertisements` entry named "<pool>-bgp<i>" (or one default advertisement when there is none), to
// all peers from all nodes. Peers are named "peer<i>-<peer-address>" (i = index in `peers`).
import { dnsSubdomainProblem } from './names.ts';
import { readAddresses } from './address-list.ts';
import type { ParsedRange } from './address-range.ts';
import { LEGACY_BFD_FIELDS, readBfdSettings } from './bfd-profile.ts';
import {
  checkAggregation,
  checkOverlaps,
  checkReference,
  checkUniqueNames,
  type NamedAt,
  type RangeAt,
} from './checks.ts';
import { parseCommunity, resolveCommunity } from './community.ts';
import { emptyConfig } from './empty.ts';
import type { BgpAdvertisement, Community, Config, Protocol } from './model.ts';
import { assemblePeer, checkMultiHop, checkSourceFamily, readAddress, readRouterId } from './peer-fields.ts';
import { join, type Problems } from './problems.ts';
import { Fields, describe, isMapping } from './reader.ts';
import { readSelectorList } from './selector-parse.ts';
import { didYouMean } from './suggest.ts';
import { resolveTimers } from './timers.ts';

const TOP = ['peers', 'bgp-communities', 'address-pools', 'bfd-profiles'];
const POOL = ['name', 'protocol', 'addresses', 'auto-assign', 'avoid-buggy-ips', 'bgp-advertisements'];
const ADVERTISEMENT = ['aggregation-length', 'aggregation-length-v6', 'localpref', 'communities'];
const PEER = [
  'peer-address',
  'peer-asn',
  'my-asn',
  'peer-port',
  'hold-time',
  'keepalive-time',
  'router-id',
  'source-address',
  'password',
  'bfd-profile',
  'ebgp-multihop',
  'node-selectors',
];
const BFD = ['name', ...Object.values(LEGACY_BFD_FIELDS)];
const PROTOCOLS: readonly Protocol[] = ['layer2', 'bgp'];
export const MAX_ASN = 4294967295;

/** Top-level path used for problems about the whole document. */
export const TOP_LEVEL = '(top level)';

/** Parses the decoded legacy YAML. An empty document is a valid, empty configuration. */
export function parseLegacy(value: unknown, problems: Problems): Config | undefined {
  const before = problems.count;
  const config = emptyConfig();
  if (value === null || value === undefined) return config;
  if (!isMapping(value)) {
    problems.add(
      TOP_LEVEL,
      `the legacy MetalLB configuration must be a mapping with address-pools, peers, ... (got ${describe(value)})`,
    );
    return undefined;
  }
  const top = new Fields(problems, '', value, { known: TOP });
  readAliases(top, config);
  readBfdProfiles(top, config);
  readPools(top, config);
  readPeers(top, config);
  return problems.count > before ? undefined : config;
}

function readAliases(top: Fields, config: Config): void {
  const aliases = top.stringMap('bgp-communities') ?? {};
  for (const [name, text] of Object.entries(aliases)) {
    const c = parseCommunity(text);
    if (typeof c === 'string') top.problems.add(join('bgp-communities', name), c);
    else config.communityAliases[name] = c;
  }
}

function readBfdProfiles(top: Fields, config: Config): void {
  const named: NamedAt[] = [];
  (top.list('bfd-profiles') ?? []).forEach((item, i) => {
    const f = Fields.of(top.problems, join('bfd-profiles', i), item, { known: BFD });
    if (!f) return;
    const name = f.string('name', { required: true });
    const profile = readBfdSettings(f, name ?? '', LEGACY_BFD_FIELDS);
    if (name === undefined) return;
    named.push({ name, problems: top.problems, path: f.at('name') });
    config.bfdProfiles.push(profile);
  });
  checkUniqueNames(named, 'BFD profile', (n) => n.path);
}

function readPools(top: Fields, config: Config): void {
  const problems = top.problems;
  const named: NamedAt[] = [];
  const allRanges: RangeAt[] = [];
  (top.list('address-pools') ?? []).forEach((item, i) => {
    const f = Fields.of(problems, join('address-pools', i), item, { known: POOL });
    if (!f) return;
    const name = f.string('name', { required: true });
    const nameProblem = name === undefined ? undefined : dnsSubdomainProblem(name, 'pool name');
    if (nameProblem) problems.add(f.at('name'), nameProblem);
    const protocolText = f.string('protocol', { required: true });
    let protocol: Protocol | undefined;
    if (protocolText !== undefined) {
      protocol = PROTOCOLS.find((p) => p === protocolText);
      if (!protocol) {
        problems.add(
          f.at('protocol'),
          `unknown protocol "${protocolText}": use layer2 or bgp${didYouMean(protocolText, PROTOCOLS)}`,
        );
      }
    }
    const entries = readAddresses(f, 'addresses');
    const ranges: ParsedRange[] = entries.map((e) => e.parsed);
    if (name !== undefined) {
      for (const { parsed, path } of entries)
        allRanges.push({ parsed, pool: name, owner: i, problems, path, order: allRanges.length });
    }
    const autoAssign = f.bool('auto-assign') ?? true;
    const avoidBuggyIPs = f.bool('avoid-buggy-ips') ?? false;
    if (protocol === 'layer2' && f.has('bgp-advertisements')) {
      problems.add(f.at('bgp-advertisements'), 'bgp-advertisements is only allowed in a pool with protocol bgp');
    }
    const ads = protocol === 'bgp' ? readAdvertisements(f, name ?? '', ranges, config.communityAliases) : [];
    if (name !== undefined) named.push({ name, problems, path: f.at('name') });
    if (name === undefined || protocol === undefined) return;
    config.pools.push({
      name,
      protocols: [protocol],
      ranges: ranges.map((r) => r.range),
      autoAssign,
      avoidBuggyIPs,
      labels: {},
    });
    if (protocol === 'layer2') {
      config.l2Advertisements.push({ name: `${name}-l2`, pools: [name], nodeSelectors: [], interfaces: [] });
    } else {
      config.bgpAdvertisements.push(...ads);
    }
  });
  checkUniqueNames(named, 'pool', (n) => n.path);
  checkOverlaps(allRanges);
}

function readAdvertisements(
  pool: Fields,
  poolName: string,
  ranges: readonly ParsedRange[],
  aliases: Readonly<Record<string, Community>>,
): BgpAdvertisement[] {
  const problems = pool.problems;
  const base = { pools: [poolName], peers: [], nodeSelectors: [] };
  const items = pool.list('bgp-advertisements') ?? [];
  if (items.length === 0) {
    // MetalLB: a bgp pool without advertisements is announced as /32 and /128 routes, no attributes.
    return [{ name: `${poolName}-bgp0`, ...base, aggregationLength: 32, aggregationLengthV6: 128, communities: [] }];
  }
  const out: BgpAdvertisement[] = [];
  items.forEach((item, k) => {
    const f = Fields.of(problems, join(pool.at('bgp-advertisements'), k), item, { known: ADVERTISEMENT });
    if (!f) return;
    const aggregationLength = f.int('aggregation-length', 0, 32) ?? 32;
    const aggregationLengthV6 = f.int('aggregation-length-v6', 0, 128) ?? 128;
    checkAggregation(
      { v4: { problems, path: f.at('aggregation-length') }, v6: { problems, path: f.at('aggregation-length-v6') } },
      { v4: aggregationLength, v6: aggregationLengthV6 },
      [{ name: poolName, ranges }],
    );
    const localPref = f.int('localpref', 0, MAX_ASN);
    const communities: Community[] = [];
    (f.strings('communities') ?? []).forEach((text, j) => {
      const c = resolveCommunity(text, aliases);
      if (typeof c === 'string') problems.add(join(f.at('communities'), j), c);
      else communities.push(c);
    });
    const ad: BgpAdvertisement = {
      name: `${poolName}-bgp${k}`,
      ...base,
      aggregationLength,
      aggregationLengthV6,
      communities,
    };
    if (localPref !== undefined) ad.localPref = localPref;
    out.push(ad);
  });
  return out;
}

function readPeers(top: Fields, config: Config): void {
  const problems = top.problems;
  const profiles = config.bfdProfiles.map((p) => p.name);
  const seen = new Map<string, number>();
  (top.list('peers') ?? []).forEach((item, i) => {
    const f = Fields.of(problems, join('peers', i), item, { known: PEER });
    if (!f) return;
    const before = problems.count;
    const myASN = f.int('my-asn', 1, MAX_ASN, { required: true });
    const peerASN = f.int('peer-asn', 1, MAX_ASN, { required: true });
    const peerAddress = readAddress(problems, f.at('peer-address'), f.string('peer-address', { required: true }));
    const peerPort = f.int('peer-port', 1, 65535) ?? 179;
    const timers = resolveTimers(problems, {
      holdTime: durationText(f, 'hold-time'),
      keepaliveTime: durationText(f, 'keepalive-time'),
      holdPath: f.at('hold-time'),
      keepalivePath: f.at('keepalive-time'),
      style: 'legacy',
    });
    // As in MetalLB, an empty optional string means unset.
    const routerID = readRouterId(problems, f.at('router-id'), f.string('router-id') || undefined);
    const sourceAddress = readAddress(problems, f.at('source-address'), f.string('source-address') || undefined);
    checkSourceFamily(problems, f.at('source-address'), sourceAddress, peerAddress);
    const password = f.string('password') || undefined;
    const bfdProfile = f.string('bfd-profile') || undefined;
    if (bfdProfile !== undefined)
      checkReference({ problems, path: f.at('bfd-profile') }, 'BFD profile', bfdProfile, profiles);
    const ebgpMultiHop = f.bool('ebgp-multihop') ?? false;
    checkMultiHop(problems, f.at('ebgp-multihop'), ebgpMultiHop, myASN, peerASN);
    const nodeSelectors = readSelectorList(f, 'node-selectors', 'legacy');
    const peer = assemblePeer(problems, before, (address) => `peer${i}-${address}`, {
      myASN,
      peerASN,
      peerAddress,
      peerPort,
      timers,
      ebgpMultiHop,
      nodeSelectors,
      sourceAddress,
      routerID,
      password,
      bfdProfile,
    });
    if (!peer) return;
    // MetalLB rejects a peer identical to an earlier one ("peer already exists").
    const key = JSON.stringify({ ...peer, name: '' });
    const prev = seen.get(key);
    if (prev !== undefined) {
      problems.add(f.path, `same peer as peers[${prev}]`);
      return;
    }
    seen.set(key, i);
    config.peers.push(peer);
  });
}

/** Durations are strings; a bare number is passed on as text so "90" gets the "has no unit" hint. */
function durationText(f: Fields, key: string): string | undefined {
  const v = f.value[key];
  if (typeof v === 'number') return String(v);
  return f.string(key);
}
