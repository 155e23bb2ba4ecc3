// The speaker's decisions, pure: from the cluster as it is now to what this node must announce — the
// IPs it owns in Layer 2 mode (with the interfaces allowed for each), the IPs it announces over BGP,
// and per Service why (for status objects, Events, logs and `ferrolb status`).
import type { Config } from '../config/index.ts';
import { matchesAnySelector } from '../config/index.ts';
import { electBgp, electLayer2, type Election, type NodeRules } from '../election/index.ts';
import type { ServiceView, SpeakerInputs } from './inputs.ts';

/** The interfaces an IP may be announced on: every usable one, or only those named. */
export type InterfaceChoice = { all: true } | { all: false; names: string[] };

export interface Layer2Announcement {
  ip: string;
  interfaces: InterfaceChoice;
  /** Services (keys) announced through this IP, sorted. */
  services: string[];
}

export interface BgpAnnouncement {
  ip: string;
  pool: string;
}

export type SkipReason =
  | 'no-ips'
  | 'not-in-pool'
  | 'mixed-pools'
  | 'no-serving-endpoint'
  | 'no-advertisement'
  | 'no-candidate'
  | 'not-owner'
  | 'not-selected';

export interface ServiceDecision {
  key: string;
  pool?: string;
  layer2?: { election: Election; announcing: boolean; interfaces?: InterfaceChoice; reason?: SkipReason };
  bgp?: { election: Election; announcing: boolean; reason?: SkipReason };
  /** Set when neither mode applies (no IPs, IPs outside every pool). */
  reason?: SkipReason;
}

export interface Desired {
  /** IPs this node owns in Layer 2 mode, sorted by IP text. */
  layer2: Layer2Announcement[];
  /** IPs this node announces over BGP (with their pool, for the advertisements), sorted. */
  bgp: BgpAnnouncement[];
  services: Map<string, ServiceDecision>;
}

function poolOfService(view: ServiceView, inputs: SpeakerInputs): { pool?: string; reason?: SkipReason } {
  if (view.ips.length === 0) return { reason: 'no-ips' };
  const pools = new Set(view.ips.map((ip) => inputs.poolOf(ip)));
  if (pools.has(undefined)) return { reason: 'not-in-pool' };
  if (pools.size > 1) return { reason: 'mixed-pools' };
  return { pool: [...pools][0] as string };
}

/** Interfaces of the L2Advertisements that cover `pool` and select `node` (MetalLB's ipAdvertisementFor). */
function interfacesFor(config: Config, pool: string, labels: Readonly<Record<string, string>>): InterfaceChoice {
  const names = new Set<string>();
  for (const adv of config.l2Advertisements) {
    if (!adv.pools.includes(pool) || !matchesAnySelector(adv.nodeSelectors, labels)) continue;
    if (adv.interfaces.length === 0) return { all: true };
    for (const n of adv.interfaces) names.add(n);
  }
  return { all: false, names: [...names].sort() };
}

export function computeDesired(inputs: SpeakerInputs): Desired {
  const { config, myNode } = inputs;
  const l2Rules: NodeRules = {
    alive: inputs.alive,
    nodes: inputs.nodes,
    ...(inputs.ignoreExcludeLabel !== undefined ? { ignoreExcludeLabel: inputs.ignoreExcludeLabel } : {}),
  };
  const bgpRules: NodeRules = { ...l2Rules, alive: new Set(inputs.nodes.keys()) };
  const myLabels = inputs.nodes.get(myNode)?.labels ?? {};
  const l2 = new Map<string, Layer2Announcement>();
  const bgp = new Map<string, BgpAnnouncement>();
  const services = new Map<string, ServiceDecision>();

  for (const view of inputs.services) {
    const { pool, reason } = poolOfService(view, inputs);
    if (pool === undefined) {
      services.set(view.key, { key: view.key, ...(reason ? { reason } : {}) });
      continue;
    }
    const decision: ServiceDecision = { key: view.key, pool };
    const facts = { ips: view.ips, externalTrafficPolicy: view.externalTrafficPolicy, endpoints: view.endpoints };

    const l2Ads = config.l2Advertisements.filter((a) => a.pools.includes(pool));
    if (l2Ads.length > 0) {
      const election = electLayer2(
        facts,
        l2Rules,
        l2Ads.map((a) => a.nodeSelectors),
      );
      const announcing = election.announcers[0] === myNode;
      if (announcing) {
        const interfaces = interfacesFor(config, pool, myLabels);
        decision.layer2 = { election, announcing, interfaces };
        for (const ip of view.ips) {
          const prev = l2.get(ip);
          if (prev) prev.services = [...new Set([...prev.services, view.key])].sort();
          else l2.set(ip, { ip, interfaces, services: [view.key] });
        }
      } else {
        decision.layer2 = { election, announcing, reason: election.reason ?? 'not-owner' };
      }
    }

    const bgpAds = config.bgpAdvertisements.filter((a) => a.pools.includes(pool));
    if (bgpAds.length > 0) {
      const election = electBgp(
        facts,
        bgpRules,
        bgpAds.map((a) => a.nodeSelectors),
      );
      const announcing = election.announcers.includes(myNode);
      decision.bgp = announcing
        ? { election, announcing }
        : { election, announcing, reason: election.reason ?? 'not-selected' };
      if (announcing) for (const ip of view.ips) bgp.set(ip, { ip, pool });
    }
    if (!decision.layer2 && !decision.bgp) decision.reason = 'no-advertisement';
    services.set(view.key, decision);
  }

  const byIp = <T extends { ip: string }>(m: Map<string, T>): T[] =>
    [...m.values()].sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  return { layer2: byIp(l2), bgp: byIp(bgp), services };
}
