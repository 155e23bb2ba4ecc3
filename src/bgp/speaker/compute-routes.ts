// Pure route computation for one node: which peers this node talks to, and which routes each of those
// peers gets for the LoadBalancer IPs this node announces (MetalLB BGP semantics).
//  - A peer applies to the node when any of its nodeSelectors matches (no selectors: every node).
//  - An advertisement applies to an IP when it covers the IP's pool, one of its nodeSelectors matches the
//    node (none: every node), and it names the peer (no names: every peer).
//  - The prefix is the IP masked to aggregationLength (IPv4) or aggregationLengthV6 (IPv6); several IPs
//    masked to the same prefix become one route.
//  - LOCAL_PREF only towards iBGP peers (myASN == peerASN); MetalLB ignores it for eBGP, and so do we.
//  - The same prefix from several advertisements merges into one route: union of communities, highest
//    LOCAL_PREF (MetalLB's native speaker would let the last one win; a union is order-independent).
//  - Next hop: the node's address of the prefix family when given; otherwise left for the session to
//    fill with its local address.
import type { BgpAdvertisement, Config, LabelSelector, Peer } from '../../config/model.ts';
import { matchesSelector } from '../../config/selector.ts';
import { parseIp } from '../../net/ip.ts';
import type { Route } from '../routes.ts';
import { aggregatePrefix, normalizeCommunities, normalizeLarge, prefixKey } from '../routes.ts';

export interface NodeInfo {
  name: string;
  labels: Record<string, string>;
  /** Next hops to announce; when absent, each session uses its own local address of the family. */
  ipv4?: string;
  ipv6?: string;
  ipv6LinkLocal?: string;
}

export interface Announcement {
  ip: string;
  pool: string;
}

export interface ComputeProblem {
  ip: string;
  reason: string;
}

export interface ComputedRoutes {
  /** Peers (by name) this node peers with, in config order. */
  peers: Peer[];
  /** Routes per peer name, sorted by prefix key. */
  routes: Map<string, Route[]>;
  /** Announcements that produced no route, and why (for logs/tests). */
  problems: ComputeProblem[];
}

export function selectorsMatch(selectors: LabelSelector[], labels: Record<string, string>): boolean {
  return selectors.length === 0 || selectors.some((s) => matchesSelector(s, labels));
}

export function peersForNode(config: Pick<Config, 'peers'>, node: NodeInfo): Peer[] {
  return config.peers.filter((p) => selectorsMatch(p.nodeSelectors, node.labels));
}

export function computeRoutes(
  config: Pick<Config, 'peers' | 'bgpAdvertisements'>,
  node: NodeInfo,
  announcements: Announcement[],
): ComputedRoutes {
  const peers = peersForNode(config, node);
  const byPeer = new Map<string, Map<string, Route>>(peers.map((p) => [p.name, new Map()]));
  const problems: ComputeProblem[] = [];
  const advs = config.bgpAdvertisements.filter((a) => selectorsMatch(a.nodeSelectors, node.labels));
  for (const ann of announcements) {
    const ip = parseIp(ann.ip);
    if (!ip) {
      problems.push({ ip: ann.ip, reason: 'not an IP address' });
      continue;
    }
    const covering = advs.filter((a) => a.pools.includes(ann.pool));
    if (covering.length === 0) {
      problems.push({ ip: ann.ip, reason: `no BGPAdvertisement for pool "${ann.pool}" applies to node ${node.name}` });
      continue;
    }
    let announced = false;
    for (const adv of covering) {
      const length = ip.family === 'ipv4' ? adv.aggregationLength : adv.aggregationLengthV6;
      const prefix = aggregatePrefix(ip.family, ip.value, length);
      for (const peer of peers) {
        if (adv.peers.length > 0 && !adv.peers.includes(peer.name)) continue;
        const table = byPeer.get(peer.name) as Map<string, Route>;
        const route = routeFor(prefix, adv, peer, node);
        const key = prefixKey(prefix);
        const prev = table.get(key);
        table.set(key, prev ? merge(prev, route) : route);
        announced = true;
      }
    }
    if (!announced) problems.push({ ip: ann.ip, reason: 'no selected peer on this node' });
  }
  const routes = new Map<string, Route[]>();
  for (const [name, table] of byPeer) {
    routes.set(
      name,
      [...table.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r),
    );
  }
  return { peers, routes, problems };
}

function routeFor(prefix: Route['prefix'], adv: BgpAdvertisement, peer: Peer, node: NodeInfo): Route {
  const communities: number[] = [];
  const large: Route['largeCommunities'] = [];
  for (const c of adv.communities) {
    if (c.kind === 'standard') communities.push(c.value);
    else large.push({ globalAdmin: c.globalAdmin, localData1: c.localData1, localData2: c.localData2 });
  }
  const ibgp = peer.myASN === peer.peerASN;
  const nextHop = prefix.family === 'ipv4' ? node.ipv4 : node.ipv6;
  return {
    prefix,
    ...(nextHop !== undefined ? { nextHop } : {}),
    ...(prefix.family === 'ipv6' && node.ipv6LinkLocal !== undefined ? { nextHopLinkLocal: node.ipv6LinkLocal } : {}),
    ...(ibgp && adv.localPref !== undefined ? { localPref: adv.localPref } : {}),
    communities: normalizeCommunities(communities),
    largeCommunities: normalizeLarge(large),
    origin: 'igp',
  };
}

function merge(a: Route, b: Route): Route {
  const localPref =
    a.localPref === undefined
      ? b.localPref
      : b.localPref === undefined
        ? a.localPref
        : Math.max(a.localPref, b.localPref);
  return {
    ...a,
    ...(localPref !== undefined ? { localPref } : {}),
    communities: normalizeCommunities([...a.communities, ...b.communities]),
    largeCommunities: normalizeLarge([...a.largeCommunities, ...b.largeCommunities]),
  };
}
