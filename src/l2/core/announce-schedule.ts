// The announcer's schedule (pure): desired IPs per interface in, announcements out. Every gained IP is
// announced at once; then `repeats` more times `repeatIntervalMs` apart, then every `refreshIntervalMs`.
// Repeats, refreshes and re-assertions are paced (`pacingBurst` per `pacingIntervalMs`) so a move of
// hundreds of IPs never holds back the first announcement of any of them.
import { parseAddress } from '../codec/index.ts';
import type { AnnounceConfig } from './announce-config.ts';
import type { Family } from './respond.ts';

export type AnnounceReason = 'gained' | 'repeat' | 'refresh' | 'reassert';

export interface Announcement {
  interface: string;
  ip: string;
  family: Family;
  reason: AnnounceReason;
}

export interface SetResult {
  gained: Announcement[];
  lost: { interface: string; ip: string }[];
}

interface Entry {
  interface: string;
  ip: string;
  family: Family;
  /** Repeats sent since the last first announcement / re-assertion. */
  repeatsSent: number;
  lastSentAt: number;
  nextAt: number;
  nextReason: AnnounceReason;
}

const key = (iface: string, ip: string): string => `${iface} ${ip}`;

export class AnnounceSchedule {
  readonly #config: AnnounceConfig;
  readonly #entries = new Map<string, Entry>();
  #lastSlotAt = -Infinity;
  #backlog = false;

  constructor(config: AnnounceConfig) {
    this.#config = config;
  }

  /** What is owned now, per interface. */
  owned(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const e of this.#entries.values()) {
      let s = out.get(e.interface);
      if (!s) out.set(e.interface, (s = new Set()));
      s.add(e.ip);
    }
    return out;
  }

  has(iface: string, ip: string): boolean {
    return this.#entries.has(key(iface, ip));
  }

  /**
   * The desired state (canonical IPs per interface). Returns the gained IPs, each to be announced now
   * (never paced), and the lost ones.
   */
  set(desired: ReadonlyMap<string, ReadonlySet<string>>, now: number): SetResult {
    const lost: SetResult['lost'] = [];
    for (const [k, e] of this.#entries) {
      if (!desired.get(e.interface)?.has(e.ip)) {
        this.#entries.delete(k);
        lost.push({ interface: e.interface, ip: e.ip });
      }
    }
    const gained: Announcement[] = [];
    for (const [iface, ips] of desired) {
      for (const ip of ips) {
        const k = key(iface, ip);
        if (this.#entries.has(k)) continue;
        const p = parseAddress(ip);
        if (!p) throw new RangeError(`announce: "${ip}" on ${iface} is not an IP address`);
        const e: Entry = {
          interface: iface,
          ip,
          family: p.family,
          repeatsSent: 0,
          lastSentAt: now,
          nextAt: 0,
          nextReason: 'repeat',
        };
        this.#afterSend(e, now);
        this.#entries.set(k, e);
        gained.push({ interface: iface, ip, family: p.family, reason: 'gained' });
      }
    }
    return { gained, lost };
  }

  /**
   * Another MAC claimed an owned IP: re-assert at once unless the last announcement of it was less than
   * `reassertIntervalMs` ago (then as soon as that has passed). Returns the announcement to send now, if any.
   */
  conflict(iface: string, ip: string, now: number): Announcement | undefined {
    const e = this.#entries.get(key(iface, ip));
    if (!e) return undefined;
    const at = e.lastSentAt + this.#config.reassertIntervalMs;
    if (at <= now) {
      e.repeatsSent = 0;
      this.#afterSend(e, now);
      return { interface: e.interface, ip: e.ip, family: e.family, reason: 'reassert' };
    }
    if (at < e.nextAt || e.nextReason !== 'reassert') {
      e.nextAt = Math.min(e.nextAt, at);
      e.nextReason = 'reassert';
    }
    return undefined;
  }

  /**
   * Everything owned on `iface` is announced again from the start (first announcement now, then the
   * repeats): the interface's MAC changed, so every neighbour must learn the new one.
   */
  reannounce(iface: string, now: number): Announcement[] {
    const out: Announcement[] = [];
    for (const e of this.#entries.values()) {
      if (e.interface !== iface) continue;
      e.repeatsSent = 0;
      this.#afterSend(e, now);
      out.push({ interface: e.interface, ip: e.ip, family: e.family, reason: 'gained' });
    }
    return out;
  }

  /** The announcements due at `now`, at most `pacingBurst` of them per pacing slot, most overdue first. */
  due(now: number): Announcement[] {
    if (now < this.#lastSlotAt + this.#config.pacingIntervalMs) return [];
    const ready: Entry[] = [];
    for (const e of this.#entries.values()) if (e.nextAt <= now) ready.push(e);
    if (ready.length === 0) {
      this.#backlog = false;
      return [];
    }
    ready.sort((a, b) => a.nextAt - b.nextAt);
    const take = ready.slice(0, this.#config.pacingBurst);
    this.#backlog = ready.length > take.length;
    this.#lastSlotAt = now;
    const out: Announcement[] = [];
    for (const e of take) {
      out.push({ interface: e.interface, ip: e.ip, family: e.family, reason: e.nextReason });
      if (e.nextReason === 'reassert') e.repeatsSent = 0;
      else if (e.nextReason === 'repeat') e.repeatsSent++;
      this.#afterSend(e, now);
    }
    return out;
  }

  /** When due() has something next (undefined: nothing scheduled). */
  nextWakeAt(): number | undefined {
    if (this.#backlog) return this.#lastSlotAt + this.#config.pacingIntervalMs;
    let min = Infinity;
    for (const e of this.#entries.values()) if (e.nextAt < min) min = e.nextAt;
    if (min === Infinity) return undefined;
    return Math.max(min, this.#lastSlotAt + this.#config.pacingIntervalMs);
  }

  #afterSend(e: Entry, now: number): void {
    const c = this.#config;
    e.lastSentAt = now;
    if (e.repeatsSent < c.repeats) {
      e.nextAt = now + c.repeatIntervalMs;
      e.nextReason = 'repeat';
    } else if (c.refreshIntervalMs > 0) {
      e.nextAt = now + c.refreshIntervalMs;
      e.nextReason = 'refresh';
    } else {
      e.nextAt = Infinity;
      e.nextReason = 'refresh';
    }
  }
}
