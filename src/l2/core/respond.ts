// The responder's decision for one received frame: the reply to send, a conflict to report, or the reason
// it is ignored. Pure: the shell gives the frame, the interface's facts and who owns what.
import {
  ARP_REPLY,
  ARP_REQUEST,
  ALL_NODES,
  ALL_NODES_MAC,
  decodeL2Frame,
  encodeL2Frame,
  isGroupMac,
  linkLayerAddress,
  type L2Frame,
} from '../codec/index.ts';
import { DecodeError } from '../../wire/index.ts';
import { neighborAdvertisementFrame } from './frames.ts';
import { interfaceSkipReason, type InterfaceFacts } from './interface-facts.ts';

export type IgnoreReason =
  | 'interface-down'
  | 'interface-noarp'
  | 'interface-enslaved'
  | 'malformed'
  | 'own-frame'
  | 'vlan-tagged'
  | 'not-for-us'
  | 'not-arp-or-ndp'
  | 'not-request'
  | 'not-owned'
  | 'wrong-interface';

export const IGNORE_REASONS: readonly IgnoreReason[] = [
  'interface-down',
  'interface-noarp',
  'interface-enslaved',
  'malformed',
  'own-frame',
  'vlan-tagged',
  'not-for-us',
  'not-arp-or-ndp',
  'not-request',
  'not-owned',
  'wrong-interface',
];

export type Family = 'ipv4' | 'ipv6';

export type Decision =
  | {
      action: 'reply';
      family: Family;
      ip: string;
      /** Who asked: MAC and IP (0.0.0.0 / :: for duplicate address detection probes). */
      requesterMac: string;
      requesterIp: string;
      /** A unicast Neighbor Solicitation (NUD probe) or unicast ARP request, not a broadcast/multicast one. */
      unicast: boolean;
      frame: Uint8Array;
    }
  | {
      action: 'conflict';
      family: Family;
      ip: string;
      /** The other claimant's MAC. */
      mac: string;
      evidence: 'arp-request' | 'arp-reply' | 'neighbor-advertisement' | 'neighbor-solicitation';
    }
  | { action: 'ignore'; reason: IgnoreReason; detail?: string; ip?: string };

export interface RespondInput {
  frame: Uint8Array;
  iface: InterfaceFacts;
  /** Canonical IPs this node answers for on this interface. */
  owned: ReadonlySet<string>;
  /** True for an IP this node answers for on another interface (reported as wrong-interface). */
  ownedElsewhere?: (ip: string) => boolean;
  /** The kernel reported an 802.1Q tag it had stripped (PACKET_AUXDATA). */
  vlanTagged?: boolean;
  /** The kernel reported the frame as sent by this host (PACKET_OUTGOING). */
  outgoing?: boolean;
}

function notOwned(ip: string, input: RespondInput): Decision {
  return { action: 'ignore', reason: input.ownedElsewhere?.(ip) ? 'wrong-interface' : 'not-owned', ip };
}

export function respond(input: RespondInput): Decision {
  const { iface } = input;
  const skip = interfaceSkipReason(iface);
  if (skip) return { action: 'ignore', reason: skip };
  if (input.outgoing) return { action: 'ignore', reason: 'own-frame' };
  let frame: L2Frame;
  try {
    frame = decodeL2Frame(input.frame, 0).value;
  } catch (err) {
    if (err instanceof DecodeError) return { action: 'ignore', reason: 'malformed', detail: err.code };
    throw err;
  }
  const eth = frame.ethernet;
  if (eth.source === iface.mac) return { action: 'ignore', reason: 'own-frame' };
  if (input.vlanTagged || eth.vlan)
    return { action: 'ignore', reason: 'vlan-tagged', detail: `vlan ${eth.vlan?.id ?? '?'}` };
  // Unicast to another host (seen only in promiscuous mode): evidence of a conflict, never a question to us.
  const notForUs = !isGroupMac(eth.destination) && eth.destination !== iface.mac;
  const p = frame.payload;
  if (p.kind === 'arp') {
    const arp = p.arp;
    if (arp.senderHardwareAddress === iface.mac) return { action: 'ignore', reason: 'own-frame' };
    const spa = arp.senderProtocolAddress;
    if (spa !== '0.0.0.0' && input.owned.has(spa)) {
      return {
        action: 'conflict',
        family: 'ipv4',
        ip: spa,
        mac: arp.senderHardwareAddress,
        evidence: arp.operation === ARP_REPLY ? 'arp-reply' : 'arp-request',
      };
    }
    if (arp.operation !== ARP_REQUEST)
      return { action: 'ignore', reason: 'not-request', ip: arp.targetProtocolAddress };
    if (notForUs) return { action: 'ignore', reason: 'not-for-us' };
    const ip = arp.targetProtocolAddress;
    if (!input.owned.has(ip)) return notOwned(ip, input);
    const reply = encodeL2Frame({
      ethernet: { destination: eth.source, source: iface.mac, etherType: 0x0806 },
      payload: {
        kind: 'arp',
        arp: {
          operation: ARP_REPLY,
          senderHardwareAddress: iface.mac,
          senderProtocolAddress: ip,
          targetHardwareAddress: arp.senderHardwareAddress,
          targetProtocolAddress: spa,
        },
      },
    });
    return {
      action: 'reply',
      family: 'ipv4',
      ip,
      requesterMac: arp.senderHardwareAddress,
      requesterIp: spa,
      unicast: !isGroupMac(eth.destination),
      frame: reply,
    };
  }
  if (p.kind !== 'ndp') return { action: 'ignore', reason: 'not-arp-or-ndp' };
  const { ndp } = p;
  const m = ndp.message;
  if (m.type === 'neighbor-advertisement') {
    const mac = linkLayerAddress(m.options, 'target-link-layer-address') ?? eth.source;
    if (input.owned.has(m.targetAddress) && mac !== iface.mac) {
      return { action: 'conflict', family: 'ipv6', ip: m.targetAddress, mac, evidence: 'neighbor-advertisement' };
    }
    return { action: 'ignore', reason: 'not-request', ip: m.targetAddress };
  }
  const sourceMac = linkLayerAddress(m.options, 'source-link-layer-address');
  if (ndp.source !== '::' && input.owned.has(ndp.source) && (sourceMac ?? eth.source) !== iface.mac) {
    return {
      action: 'conflict',
      family: 'ipv6',
      ip: ndp.source,
      mac: sourceMac ?? eth.source,
      evidence: 'neighbor-solicitation',
    };
  }
  if (notForUs) return { action: 'ignore', reason: 'not-for-us' };
  const ip = m.targetAddress;
  if (!input.owned.has(ip)) return notOwned(ip, input);
  // RFC 4861 §7.2.4: reply to the solicitation's source; a DAD probe (source ::) is answered to all nodes.
  const dad = ndp.source === '::';
  const destinationMac = dad ? ALL_NODES_MAC : (sourceMac ?? eth.source);
  const reply = neighborAdvertisementFrame({
    ip,
    mac: iface.mac,
    destinationIp: dad ? ALL_NODES : ndp.source,
    destinationMac,
    solicited: !dad,
  });
  return {
    action: 'reply',
    family: 'ipv6',
    ip,
    requesterMac: sourceMac ?? eth.source,
    requesterIp: ndp.source,
    unicast: !isGroupMac(eth.destination),
    frame: reply,
  };
}
