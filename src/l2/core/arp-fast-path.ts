// The per-frame fast path for ARP on one interface: decides straight from the received octets, without
// decoding to objects or text, and writes the reply into a caller-owned buffer. It decides exactly what
// respond() decides (test/unit/l2/arp-fast-path.test.ts checks both on the same frames) for the frames a
// responder sees by the thousand — requests for an owned IP, requests for other IPs, replies between other
// hosts — and hands everything else (malformed, VLAN-tagged in the frame, conflicts, NDP) back to
// respond() with FAST_PATH_SLOW.
import { parseAddress } from '../codec/index.ts';
import { IGNORE_REASONS, type IgnoreReason } from './respond.ts';
import { interfaceSkipReason, type InterfaceFacts } from './interface-facts.ts';

/** decide(): not decided here; ask respond(). */
export const FAST_PATH_SLOW = -1;
/** decide(): a reply of ARP_REPLY_LENGTH octets was written to `out`; `ip` names the owned IP. */
export const FAST_PATH_REPLY = -2;
/** An Ethernet header and an ARP packet for IPv4, without padding. */
export const ARP_REPLY_LENGTH = 42;

const reasonIndex = (r: IgnoreReason): number => IGNORE_REASONS.indexOf(r);
const OWN_FRAME = reasonIndex('own-frame');
const VLAN_TAGGED = reasonIndex('vlan-tagged');
const NOT_REQUEST = reasonIndex('not-request');
const NOT_FOR_US = reasonIndex('not-for-us');
const NOT_OWNED = reasonIndex('not-owned');
const WRONG_INTERFACE = reasonIndex('wrong-interface');

const readU32 = (b: Uint8Array, o: number): number =>
  ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

function ipv4Key(ip: string): number | undefined {
  const a = parseAddress(ip);
  return a?.family === 'ipv4' ? readU32(a.bytes, 0) : undefined;
}

export class ArpFastPath {
  readonly #mac: Uint8Array;
  readonly #usable: boolean;
  /** Owned IPv4 addresses on this interface, as 32-bit numbers → canonical text. */
  readonly #owned = new Map<number, string>();
  /** IPv4 addresses owned on any interface (a request for one of them here is wrong-interface). */
  readonly #anywhere = new Set<number>();
  /** The owned IP the last FAST_PATH_REPLY answered for. */
  ip = '';

  constructor(iface: InterfaceFacts, macOctets: Uint8Array, owned: Iterable<string>, ownedAnywhere: Iterable<string>) {
    this.#mac = macOctets;
    this.#usable = interfaceSkipReason(iface) === undefined;
    for (const ip of owned) {
      const k = ipv4Key(ip);
      if (k !== undefined) this.#owned.set(k, ip);
    }
    for (const ip of ownedAnywhere) {
      const k = ipv4Key(ip);
      if (k !== undefined) this.#anywhere.add(k);
    }
  }

  #isOurMac(b: Uint8Array, o: number): boolean {
    const m = this.#mac;
    return (
      b[o] === m[0] &&
      b[o + 1] === m[1] &&
      b[o + 2] === m[2] &&
      b[o + 3] === m[3] &&
      b[o + 4] === m[4] &&
      b[o + 5] === m[5]
    );
  }

  /**
   * The frame `buf[off .. off + len)`: FAST_PATH_REPLY (reply in `out`), an index into IGNORE_REASONS, or
   * FAST_PATH_SLOW. `outgoing` / `vlanTagged` as in RespondInput.
   */
  decide(buf: Uint8Array, off: number, len: number, outgoing: boolean, vlanTagged: boolean, out: Uint8Array): number {
    if (!this.#usable) return FAST_PATH_SLOW;
    if (outgoing) return OWN_FRAME;
    // Ethernet II carrying ARP for Ethernet/IPv4 (htype 1, ptype 0x0800, hlen 6, plen 4), whole.
    if (len < ARP_REPLY_LENGTH || buf[off + 12] !== 0x08 || buf[off + 13] !== 0x06) return FAST_PATH_SLOW;
    const a = off + 14;
    if (
      buf[a] !== 0 ||
      buf[a + 1] !== 1 ||
      buf[a + 2] !== 0x08 ||
      buf[a + 3] !== 0 ||
      buf[a + 4] !== 6 ||
      buf[a + 5] !== 4
    )
      return FAST_PATH_SLOW;
    if (this.#isOurMac(buf, off + 6)) return OWN_FRAME;
    if (vlanTagged) return VLAN_TAGGED;
    if (this.#isOurMac(buf, a + 8)) return OWN_FRAME;
    const spa = readU32(buf, a + 14);
    if (spa !== 0 && this.#owned.has(spa)) return FAST_PATH_SLOW; // a conflict: respond() reports it
    if (buf[a + 6] !== 0 || buf[a + 7] !== 1) return NOT_REQUEST;
    if ((buf[off]! & 1) === 0 && !this.#isOurMac(buf, off)) return NOT_FOR_US;
    const tpa = readU32(buf, a + 24);
    const ip = this.#owned.get(tpa);
    if (ip === undefined) return this.#anywhere.has(tpa) ? WRONG_INTERFACE : NOT_OWNED;
    // Octet by octet (no views: this runs for every answered request).
    const m = this.#mac;
    for (let i = 0; i < 6; i++) {
      out[i] = buf[off + 6 + i]!; // Ethernet destination: the requester's source
      out[6 + i] = m[i]!; // Ethernet source: us
      out[22 + i] = m[i]!; // ARP sender hardware address: us
      out[32 + i] = buf[a + 8 + i]!; // ARP target hardware address: the requester's sender
    }
    for (let i = 0; i < 4; i++) {
      out[28 + i] = buf[a + 24 + i]!; // ARP sender protocol address: the owned IP asked for
      out[38 + i] = buf[a + 14 + i]!; // ARP target protocol address: the requester's
    }
    // EtherType ARP; Ethernet/IPv4, lengths 6/4, operation 2 (reply).
    out[12] = 0x08;
    out[13] = 0x06;
    out[14] = 0;
    out[15] = 1;
    out[16] = 0x08;
    out[17] = 0;
    out[18] = 6;
    out[19] = 4;
    out[20] = 0;
    out[21] = 2;
    this.ip = ip;
    return FAST_PATH_REPLY;
  }
}
