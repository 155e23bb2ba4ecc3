// The facade the speaker drives: start on an address, join peers (re-dialled until they answer), leave
// gracefully, read members, subscribe to events, rotate keys; Prometheus metrics and structured logs (src/log).
//
//   const ml = new Memberlist({ name: 'node-a', keys: [key], logger, registry });
//   await ml.start('192.0.2.1', 7946);
//   ml.subscribe((e) => ...);               // {kind: 'join'|'leave'|'update', member: {name, address, state, ...}, at}
//   await ml.join(['192.0.2.2:7946']);       // resolves with how many answered now; the rest are re-dialled
//   ml.members();                           // [{name, address, ip, port, state, incarnation, meta}]
//   ml.setKeyring([newKey, oldKey]);        // primary first; others still accepted
//   await ml.leave();                       // bounded (default 500 ms); then shutdown()
import { randomInt } from 'node:crypto';
import { createLogger, type Logger } from '../log/index.ts';
import type { Registry } from '../metrics/index.ts';
import type { Clock } from '../time/index.ts';
import { systemClock } from '../time/index.ts';
import { canonicalIp } from '../net/ip.ts';
import type { Address, MemberStateName } from './codec/index.ts';
import type { MemberEvent, MemberView, SwimConfig } from './core/index.ts';
import { Swim, addressKey, resolveSwimConfig } from './core/index.ts';
import { Keyring } from './keyring.ts';
import { MemberlistMetrics } from './metrics.ts';
import { NetTransport } from './net-transport.ts';
import { SecureTransport } from './secure-transport.ts';

export interface MemberlistOptions {
  name: string;
  /** AES-256 keys, primary first. Required unless allowPlaintext. */
  keys?: Uint8Array[];
  /** Accept and send plaintext when no key is given (labs only). */
  allowPlaintext?: boolean;
  /** Cluster label bound into every packet's authentication: clusters with different labels never merge. */
  label?: string;
  meta?: Uint8Array;
  /** Address announced to others (default: the bind address). */
  advertiseAddr?: string;
  /** Protocol overrides (defaults: defaultSwimConfig). */
  swim?: Partial<Omit<SwimConfig, 'name' | 'addr'>>;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  registry?: Registry;
  maxStreamBytes?: number;
  maxConnections?: number;
}

export interface MemberInfo {
  name: string;
  /** ip:port ([ip]:port for IPv6). */
  address: string;
  ip: string;
  port: number;
  state: MemberStateName;
  incarnation: number;
  meta: Uint8Array;
}

export interface MembershipEvent {
  kind: MemberEvent['kind'];
  member: MemberInfo;
  /** Wall-clock ms when this node noticed. */
  at: number;
}

function info(v: MemberView): MemberInfo {
  return {
    name: v.name,
    address: addressKey(v.addr),
    ip: v.addr.ip,
    port: v.addr.port,
    state: v.state,
    incarnation: v.incarnation,
    meta: v.meta,
  };
}

/** Parses "ip:port" or "[ipv6]:port"; throws naming the text. */
export function parseHostPort(text: string, defaultPort = 7946): Address {
  let host = text;
  let portText: string | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket) {
    host = bracket[1] as string;
    portText = bracket[2];
  } else if (text.split(':').length === 2) {
    [host, portText] = text.split(':') as [string, string];
  }
  const ip = canonicalIp(host);
  const port = portText === undefined ? defaultPort : /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (!ip || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`"${text}" is not ADDRESS:PORT (an IP address, and a port 1..65535)`);
  return { ip, port };
}

export class Memberlist {
  readonly #opts: MemberlistOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #keyring: Keyring | undefined;
  readonly #listeners = new Set<(e: MembershipEvent) => void>();
  readonly metrics: MemberlistMetrics;
  #net: NetTransport | undefined;
  #swim: Swim | undefined;

  constructor(opts: MemberlistOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#log = (opts.logger ?? createLogger({ level: 'warn' })).child({ component: 'memberlist', node: opts.name });
    if ((!opts.keys || opts.keys.length === 0) && !opts.allowPlaintext) {
      throw new Error(
        'memberlist: no encryption key given; give keys (AES-256, 32 octets) or set allowPlaintext explicitly',
      );
    }
    this.#keyring = opts.keys && opts.keys.length > 0 ? new Keyring(opts.keys) : undefined;
    this.metrics = new MemberlistMetrics(
      () => this.#swim?.members() ?? [],
      () => this.#swim?.localHealth ?? 0,
      opts.registry,
    );
  }

  /** Binds UDP+TCP on bindAddr:port (0 = any free port) and starts probing. Returns the bound port. */
  async start(bindAddr: string, port: number): Promise<number> {
    if (this.#swim) throw new Error('memberlist: already started');
    const bind = canonicalIp(bindAddr);
    if (!bind) throw new Error(`memberlist: bind address "${bindAddr}" is not an IP address`);
    const m = this.metrics;
    const net = await NetTransport.listen({
      bindAddr: bind,
      port,
      clock: this.#clock,
      ...(this.#opts.maxStreamBytes !== undefined ? { maxStreamBytes: this.#opts.maxStreamBytes } : {}),
      ...(this.#opts.maxConnections !== undefined ? { maxConnections: this.#opts.maxConnections } : {}),
      onDrop: (reason, from) => {
        m.dropped.inc({ reason });
        this.#log.debug({ reason, from: from && addressKey(from) }, 'stream or packet dropped');
      },
      onTraffic: (direction, kind, bytes) => m.addTraffic(direction, kind, bytes),
    });
    this.#net = net;
    const secure = new SecureTransport(net, {
      keyring: this.#keyring,
      label: this.#opts.label ?? 'ferrolb',
      allowPlaintext: this.#opts.allowPlaintext ?? false,
      clock: this.#clock,
      onDrop: (reason, from, kind) => {
        m.dropped.inc({ reason });
        this.#log.debug({ reason, kind, from: addressKey(from) }, 'refused by the security layer');
      },
    });
    const advertise = this.#opts.advertiseAddr ? canonicalIp(this.#opts.advertiseAddr) : bind;
    if (!advertise || advertise === '0.0.0.0' || advertise === '::') {
      await net.close();
      throw new Error(
        `memberlist: advertise address "${this.#opts.advertiseAddr ?? bindAddr}" must be a unicast IP others can reach`,
      );
    }
    const cfg = resolveSwimConfig({
      ...this.#opts.swim,
      name: this.#opts.name,
      addr: { ip: advertise, port: net.port },
      ...(this.#opts.meta ? { meta: this.#opts.meta } : {}),
    });
    this.#swim = new Swim(cfg, {
      clock: this.#clock,
      transport: secure,
      random: this.#opts.random ?? (() => randomInt(0, 2 ** 47) / 2 ** 47),
      hooks: {
        onEvent: (e) => this.#emit(e),
        onIgnored: (reason, from) => {
          if (reason.startsWith('decode-')) m.dropped.inc({ reason });
          else m.ignored.inc({ reason });
          if (reason.startsWith('decode-'))
            this.#log.debug({ reason, from: from && addressKey(from) }, 'malformed message dropped');
        },
        onProbe: (result, target) => {
          m.probes.inc({ result });
          if (result === 'failed') this.#log.info({ target, localHealth: this.#swim?.localHealth }, 'probe failed');
        },
      },
    });
    this.#swim.start();
    this.#log.info({ bind, port: net.port, advertise }, 'membership started');
    return net.port;
  }

  #emit(e: MemberEvent): void {
    const ev: MembershipEvent = { kind: e.kind, member: info(e.member), at: this.#clock.wallNow() };
    this.metrics.events.inc({ kind: e.kind, state: e.member.state });
    this.#log.info(
      {
        event: e.kind,
        member: ev.member.name,
        address: ev.member.address,
        state: ev.member.state,
        incarnation: ev.member.incarnation,
      },
      'membership event',
    );
    for (const l of this.#listeners) {
      try {
        l(ev);
      } catch (err) {
        this.#log.error({ err }, 'membership event listener threw');
      }
    }
  }

  /** Calls `fn` for every join/leave/update from now on; returns the unsubscribe function. */
  subscribe(fn: (e: MembershipEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * Contacts the peers ("ip:port") now by push-pull; resolves with how many answered. Every peer stays
   * configured and is re-dialled while it is not a live member (healing).
   */
  join(peers: Array<string | Address>): Promise<number> {
    const swim = this.#need();
    const addrs = peers.map((p) => (typeof p === 'string' ? parseHostPort(p) : p));
    return new Promise((resolve) => swim.join(addrs, resolve));
  }

  /** Graceful leave: every member is told directly; resolves when sent or after `timeoutMs`. */
  leave(timeoutMs = 500): Promise<void> {
    const swim = this.#swim;
    if (!swim) return Promise.resolve();
    return new Promise((resolve) => {
      const t = this.#clock.setTimer(timeoutMs, () => resolve());
      swim.leave(() => {
        t.cancel();
        this.#log.info({}, 'left the cluster');
        resolve();
      });
    });
  }

  /** Stops probing and closes the sockets (call leave() first for a graceful exit). */
  async shutdown(): Promise<void> {
    this.#swim?.stop();
    await this.#net?.close();
  }

  members(): MemberInfo[] {
    return (this.#swim?.members() ?? []).map(info);
  }

  /** Replaces the keys (primary first) without restarting: rotation is add, make primary, remove. */
  setKeyring(keys: Uint8Array[]): void {
    if (!this.#keyring) throw new Error('memberlist: started without encryption; a keyring cannot be set later');
    if (keys.length === 0) throw new Error('memberlist: setKeyring needs at least one key');
    this.#keyring.set(keys);
    this.#log.info({ keys: keys.length }, 'keyring replaced');
  }

  /** Changes this node's meta; peers get an update event. */
  setMeta(meta: Uint8Array): void {
    this.#need().updateMeta(meta);
  }

  get localHealth(): number {
    return this.#swim?.localHealth ?? 0;
  }

  get port(): number | undefined {
    return this.#net?.port;
  }

  #need(): Swim {
    if (!this.#swim) throw new Error('memberlist: not started');
    return this.#swim;
  }
}
