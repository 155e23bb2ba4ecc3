// Layer 2 mode for one node: answers ARP requests and Neighbor Solicitations for the IPs it owns on the
// interfaces it may use, announces every gained IP (gratuitous ARP / unsolicited NA), and reports
// conflicts. The speaker drives it with a desired state:
//
//   const l2 = new Layer2({ clock: systemClock, logger, registry, interfaces: ['eth0'] });
//   l2.on('conflict', (c) => recordEvent(c));
//   l2.set(new Map([['eth0', new Set(['192.0.2.10', '2001:db8::10'])]]));   // '*' = every usable interface
//   ...
//   l2.close();
import { EventEmitter } from 'node:events';
import { createLogger, type Logger } from '../log/index.ts';
import { Registry } from '../metrics/index.ts';
import type { Clock, Timer } from '../time/index.ts';
import { macBytes, parseAddress, readIpv4, readMac, solicitedNodeMac } from './codec/index.ts';
import {
  announcementFrames,
  ARP_REPLY_LENGTH,
  ArpFastPath,
  FAST_PATH_REPLY,
  IGNORE_REASONS,
  AnnounceSchedule,
  checkAnnounceConfig,
  defaultAnnounceConfig,
  interfaceAllowed,
  interfaceSkipReason,
  respond,
  type Announcement,
  type AnnounceConfig,
  type AnnounceReason,
  type Decision,
  type Family,
  type InterfaceFacts,
} from './core/index.ts';
import {
  FRAME_OUTGOING,
  FRAME_TRUNCATED,
  FRAME_VLAN_TAGGED,
  packetSocketIo,
  type L2Io,
  type L2Link,
  type LinkFrame,
} from './link.ts';
import { createL2Metrics, type L2Metrics } from './metrics.ts';
import { InterfaceNotFoundError } from './sysfs-interfaces.ts';

export const ALL_INTERFACES = '*';

export interface Layer2Options {
  clock: Clock;
  logger?: Logger;
  /** The metrics registry (default: a private one, see `registry`). */
  registry?: Registry;
  /** L2Advertisement.spec.interfaces: only these interfaces are used; empty/undefined = all. */
  interfaces?: readonly string[];
  announce?: Partial<AnnounceConfig>;
  /** How often interface facts (up, NOARP, master, MAC) are re-read; 0 = only on set(). */
  factsRefreshMs?: number;
  /** Packet sockets and sysfs by default; tests give an in-memory network. */
  io?: L2Io;
}

export type SkipReason =
  | 'not-allowed'
  | 'not-found'
  | 'not-ethernet'
  | 'interface-down'
  | 'interface-noarp'
  | 'interface-enslaved'
  /** The packet socket could not be opened (e.g. EPERM without CAP_NET_RAW); retried at the next refresh. */
  | 'open-failed';

export interface AnnouncedEvent {
  interface: string;
  ip: string;
  family: Family;
  mac: string;
  reason: AnnounceReason;
}
export interface AnsweredEvent {
  interface: string;
  ip: string;
  family: Family;
  mac: string;
  requesterMac: string;
  requesterIp: string;
  unicast: boolean;
}
export interface ConflictEvent {
  interface: string;
  ip: string;
  family: Family;
  /** The other claimant's MAC. */
  mac: string;
  ourMac: string;
  evidence: string;
}
export interface SkippedEvent {
  interface: string;
  reason: SkipReason;
}

export interface Layer2Events {
  announced: [AnnouncedEvent];
  answered: [AnsweredEvent];
  conflict: [ConflictEvent];
  skipped: [SkippedEvent];
  /** Interface now used (again). */
  active: [{ interface: string; mac: string }];
}

interface LinkState {
  facts: InterfaceFacts;
  link: L2Link;
  groups: Set<string>;
  /** ARP decided from the octets (rebuilt whenever ownership or the facts change). */
  fast: ArpFastPath;
}

export class Layer2 extends EventEmitter<Layer2Events> {
  readonly registry: Registry;
  readonly metrics: L2Metrics;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #io: L2Io;
  readonly #allow: readonly string[] | undefined;
  readonly #schedule: AnnounceSchedule;
  readonly #factsRefreshMs: number;
  #desired = new Map<string, Set<string>>();
  #effective = new Map<string, Set<string>>();
  /** ip → interfaces it is owned on (for wrong-interface). */
  #owners = new Map<string, Set<string>>();
  readonly #links = new Map<string, LinkState>();
  readonly #skipped = new Map<string, SkipReason>();
  #timer: Timer | undefined;
  #refreshTimer: Timer | undefined;
  #closed = false;
  /** The fast path's replies are built here and sent from here (the kernel copies them). */
  readonly #reply = new Uint8Array(ARP_REPLY_LENGTH);

  constructor(opts: Layer2Options) {
    super();
    const config = { ...defaultAnnounceConfig(), ...opts.announce };
    checkAnnounceConfig(config);
    this.#clock = opts.clock;
    this.#log = opts.logger ?? createLogger({ level: 'silent' });
    this.#io = opts.io ?? packetSocketIo;
    this.#allow = opts.interfaces;
    this.#schedule = new AnnounceSchedule(config);
    // Every 5 s: an interface that comes up (or goes down, or joins a bridge) is noticed within seconds.
    this.#factsRefreshMs = opts.factsRefreshMs ?? 5000;
    this.registry = opts.registry ?? new Registry();
    this.metrics = createL2Metrics(this.registry);
  }

  /**
   * The IPs this node owns, per interface name ('*' = every usable interface). Invalid addresses throw a
   * RangeError and change nothing. Gained IPs are announced before set() returns.
   */
  set(desired: ReadonlyMap<string, Iterable<string>>): void {
    if (this.#closed) throw new Error('Layer2 is closed');
    const next = new Map<string, Set<string>>();
    for (const [name, ips] of desired) {
      const set = new Set<string>();
      for (const ip of ips) {
        const a = parseAddress(ip);
        if (a === undefined) throw new RangeError(`Layer2.set: "${ip}" (interface ${name}) is not an IP address`);
        set.add(a.text);
      }
      next.set(name, set);
    }
    this.#desired = next;
    this.#apply();
    this.#armRefresh();
  }

  /** What is answered and announced now, per interface (after the allow-list and skipped interfaces). */
  owned(): Map<string, Set<string>> {
    return this.#schedule.owned();
  }

  /** Interfaces not used and why. */
  skipped(): Map<string, SkipReason> {
    return new Map(this.#skipped);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#timer?.cancel();
    this.#refreshTimer?.cancel();
    for (const s of this.#links.values()) s.link.close();
    this.#links.clear();
  }

  #apply(): void {
    const effective = new Map<string, Set<string>>();
    const facts = new Map<string, InterfaceFacts>();
    const skipped = new Map<string, SkipReason>();
    for (const [name, ips] of this.#desired) {
      const wildcard = name === ALL_INTERFACES;
      for (const ifname of wildcard ? this.#io.listInterfaces() : [name]) {
        const f = this.#usable(ifname, wildcard, skipped);
        if (!f) continue;
        facts.set(ifname, f);
        let s = effective.get(ifname);
        if (!s) effective.set(ifname, (s = new Set()));
        for (const ip of ips) s.add(ip);
      }
    }
    const relinked = this.#syncLinks(effective, facts, skipped);
    for (const [ifname, reason] of skipped) {
      if (this.#skipped.get(ifname) !== reason) {
        this.#log.warn({ interface: ifname, reason }, 'layer2 interface skipped');
        this.emit('skipped', { interface: ifname, reason });
      }
    }
    this.#skipped.clear();
    for (const [k, v] of skipped) this.#skipped.set(k, v);
    this.#effective = effective;
    this.#owners = new Map();
    for (const [ifname, ips] of effective) {
      for (const ip of ips) {
        let s = this.#owners.get(ip);
        if (!s) this.#owners.set(ip, (s = new Set()));
        s.add(ifname);
      }
    }
    for (const [ifname, s] of this.#links) s.fast = this.#fastPath(s.facts, effective.get(ifname));
    const { gained, lost } = this.#schedule.set(effective, this.#clock.now());
    for (const l of lost) this.#log.info({ interface: l.interface, ip: l.ip }, 'layer2 ip released');
    for (const a of gained) this.#announce(a);
    const gainedHere = new Set(gained.map((a) => `${a.interface} ${a.ip}`));
    for (const ifname of relinked) {
      for (const a of this.#schedule.reannounce(ifname, this.#clock.now()))
        if (!gainedHere.has(`${a.interface} ${a.ip}`)) this.#announce(a);
    }
    this.#arm();
  }

  #usable(ifname: string, wildcard: boolean, skipped: Map<string, SkipReason>): InterfaceFacts | undefined {
    if (!interfaceAllowed(ifname, this.#allow)) {
      if (!wildcard) skipped.set(ifname, 'not-allowed');
      return undefined;
    }
    let f: InterfaceFacts | undefined;
    try {
      f = this.#io.readFacts(ifname);
    } catch (err) {
      if (!(err instanceof InterfaceNotFoundError) && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (!wildcard) skipped.set(ifname, 'not-found');
      return undefined;
    }
    if (!f) {
      if (!wildcard) skipped.set(ifname, 'not-ethernet');
      return undefined;
    }
    const reason = interfaceSkipReason(f);
    if (reason) {
      skipped.set(ifname, reason);
      return undefined;
    }
    return f;
  }

  /** Opens and closes packet sockets to match `effective`; an interface that cannot be opened is removed from it. */
  #syncLinks(
    effective: Map<string, Set<string>>,
    facts: Map<string, InterfaceFacts>,
    skipped: Map<string, SkipReason>,
  ): Set<string> {
    const relinked = new Set<string>();
    for (const [ifname, s] of this.#links) {
      const f = facts.get(ifname);
      if (!f || f.index !== s.facts.index || f.mac !== s.facts.mac) {
        s.link.close();
        this.#links.delete(ifname);
        if (f) relinked.add(ifname);
      } else {
        s.facts = f;
      }
    }
    for (const [ifname, ips] of effective) {
      let s = this.#links.get(ifname);
      if (!s) {
        const f = facts.get(ifname)!;
        let link: L2Link;
        try {
          link = this.#io.openLink(f, (buf, offset, length, flags) =>
            this.#onFrame(ifname, buf, offset, length, flags),
          );
        } catch (err) {
          this.#log.error(
            { interface: ifname, err: (err as Error).message },
            'layer2 packet socket could not be opened',
          );
          effective.delete(ifname);
          skipped.set(ifname, 'open-failed');
          continue;
        }
        s = { facts: f, link, groups: new Set(), fast: this.#fastPath(f, undefined) };
        this.#links.set(ifname, s);
        this.#log.info({ interface: ifname, mac: f.mac, index: f.index }, 'layer2 interface active');
        this.emit('active', { interface: ifname, mac: f.mac });
      }
      const groups = new Set<string>();
      for (const ip of ips) if (parseAddress(ip)?.family === 'ipv6') groups.add(solicitedNodeMac(ip));
      for (const g of groups) if (!s.groups.has(g)) this.#membership(s, ifname, g, 'join');
      for (const g of s.groups) if (!groups.has(g)) this.#membership(s, ifname, g, 'leave');
      s.groups = groups;
    }
    return relinked;
  }

  /** A failed join/leave is logged and counted; the NS still reaches us wherever the NIC does not filter. */
  #membership(s: LinkState, ifname: string, group: string, op: 'join' | 'leave'): void {
    try {
      s.link[op](group);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
      this.metrics.sendErrors.inc({ interface: ifname, code: `${op}-${code}` });
      this.#log.warn({ interface: ifname, group, code, err: (err as Error).message }, `layer2 multicast ${op} failed`);
    }
  }

  #fastPath(facts: InterfaceFacts, owned: ReadonlySet<string> | undefined): ArpFastPath {
    return new ArpFastPath(facts, macBytes(facts.mac), owned ?? [], this.#owners.keys());
  }

  /**
   * The hot path for every received frame: ARP decided straight from the octets (the reply is sent before
   * anything is counted or reported), everything else through handleFrame().
   */
  #onFrame(ifname: string, buf: Uint8Array, off: number, len: number, flags: number): void {
    const s = this.#links.get(ifname);
    if (s && !this.#closed && (flags & FRAME_TRUNCATED) === 0) {
      const r = s.fast.decide(
        buf,
        off,
        len,
        (flags & FRAME_OUTGOING) !== 0,
        (flags & FRAME_VLAN_TAGGED) !== 0,
        this.#reply,
      );
      if (r === FAST_PATH_REPLY) {
        const ip = s.fast.ip;
        const sent = this.#send(s, ifname, this.#reply, ARP_REPLY_LENGTH);
        this.metrics.hot.request(ip);
        if (!sent) return;
        this.metrics.hot.response(ip);
        if (this.listenerCount('answered') > 0 || this.#log.isLevelEnabled('debug')) {
          // ARP request: sender hardware address at 22, sender protocol address at 28.
          this.#answered(s, ifname, 'ipv4', ip, readMac(buf, off + 22), readIpv4(buf, off + 28), (buf[off]! & 1) === 0);
        }
        return;
      }
      if (r >= 0) {
        this.metrics.hot.ignore(ifname, IGNORE_REASONS[r]!);
        return;
      }
    } else if (s && !this.#closed) {
      this.metrics.hot.ignore(ifname, 'malformed');
      return;
    }
    const vlanTagged = (flags & FRAME_VLAN_TAGGED) !== 0;
    this.handleFrame(ifname, {
      frame: buf.subarray(off, off + len),
      outgoing: (flags & FRAME_OUTGOING) !== 0,
      vlanTagged,
    });
  }

  #answered(
    s: LinkState,
    ifname: string,
    family: Family,
    ip: string,
    requesterMac: string,
    requesterIp: string,
    unicast: boolean,
  ): void {
    const e: AnsweredEvent = { interface: ifname, ip, family, mac: s.facts.mac, requesterMac, requesterIp, unicast };
    this.#log.debug(e, 'layer2 answered');
    this.emit('answered', e);
  }

  /** One received frame on `ifname`, fully decoded: answered, reported as a conflict, or ignored (returned for tests). */
  handleFrame(ifname: string, f: LinkFrame): Decision {
    const s = this.#links.get(ifname);
    if (!s || this.#closed) return { action: 'ignore', reason: 'interface-down' };
    const d = respond({
      frame: f.frame,
      iface: s.facts,
      owned: this.#effective.get(ifname) ?? new Set(),
      ownedElsewhere: (ip) => this.#owners.has(ip),
      vlanTagged: f.vlanTagged,
      outgoing: f.outgoing,
    });
    if (d.action === 'ignore') {
      this.metrics.hot.ignore(ifname, d.reason);
    } else if (d.action === 'reply') {
      const sent = this.#send(s, ifname, d.frame);
      this.metrics.hot.request(d.ip);
      if (sent) {
        this.metrics.hot.response(d.ip);
        if (this.listenerCount('answered') > 0 || this.#log.isLevelEnabled('debug'))
          this.#answered(s, ifname, d.family, d.ip, d.requesterMac, d.requesterIp, d.unicast);
      }
    } else {
      this.metrics.conflicts.inc({ interface: ifname, ip: d.ip });
      const e: ConflictEvent = {
        interface: ifname,
        ip: d.ip,
        family: d.family,
        mac: d.mac,
        ourMac: s.facts.mac,
        evidence: d.evidence,
      };
      this.#log.warn(e, 'layer2 conflict: another MAC claims an owned IP');
      this.emit('conflict', e);
      const a = this.#schedule.conflict(ifname, d.ip, this.#clock.now());
      if (a) this.#announce(a);
      this.#arm();
    }
    return d;
  }

  #announce(a: Announcement): void {
    const s = this.#links.get(a.interface);
    if (!s) return;
    let ok = false;
    for (const frame of announcementFrames(a.family, a.ip, s.facts.mac)) ok = this.#send(s, a.interface, frame) || ok;
    if (!ok) return;
    this.metrics.gratuitousSent.inc({ ip: a.ip });
    const e: AnnouncedEvent = {
      interface: a.interface,
      ip: a.ip,
      family: a.family,
      mac: s.facts.mac,
      reason: a.reason,
    };
    this.#log.debug(e, 'layer2 announced');
    this.emit('announced', e);
  }

  #send(s: LinkState, ifname: string, frame: Uint8Array, length?: number): boolean {
    try {
      s.link.send(frame, length);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unknown';
      this.metrics.sendErrors.inc({ interface: ifname, code });
      this.#log.warn({ interface: ifname, code, err: (err as Error).message }, 'layer2 send failed');
      return false;
    }
  }

  #arm(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (this.#closed) return;
    const at = this.#schedule.nextWakeAt();
    if (at === undefined || at === Infinity) return;
    this.#timer = this.#clock.setTimer(at - this.#clock.now(), () => {
      this.#timer = undefined;
      for (const a of this.#schedule.due(this.#clock.now())) this.#announce(a);
      this.#arm();
    });
  }

  #armRefresh(): void {
    this.#refreshTimer?.cancel();
    if (this.#factsRefreshMs <= 0 || this.#closed) return;
    this.#refreshTimer = this.#clock.setTimer(
      this.#factsRefreshMs,
      () => {
        if (this.#closed) return;
        try {
          this.#apply();
        } catch (err) {
          this.#log.error({ err }, 'layer2 interface refresh failed');
        }
        this.#armRefresh();
      },
      { unref: true },
    );
  }
}
