// The BGP speaker of one node: configuration (peers, advertisements) and the LoadBalancer IPs this node
// announces in; one BgpSession per selected peer out. Desired-state setters (setConfig, setAnnouncements)
// diff against the running sessions: a removed or changed peer is closed with Cease, an unchanged peer
// keeps its session (no flap) and only gets its new routes.
import { EventEmitter } from 'node:events';
import { createLogger, type Logger } from '../../log/index.ts';
import type { Config, Peer } from '../../config/model.ts';
import { parseIp } from '../../net/ip.ts';
import type { Clock } from '../../time/index.ts';
import { BgpListener } from '../session/listener.ts';
import type { NotificationEvent, SessionOptions, StateChange } from '../session/session.ts';
import type { SessionMetrics } from '../session/session-types.ts';
import { BgpSession } from '../session/session.ts';
import type { Connector } from '../session/transport.ts';
import type { BfdFactory } from './bfd-link.ts';
import { defaultBfdFactory, linkBfd } from './bfd-link.ts';
import type { Announcement, NodeInfo } from './compute-routes.ts';
import { computeRoutes } from './compute-routes.ts';
import { CeaseSubcode } from '../errors.ts';

export type SpeakerConfig = Pick<Config, 'peers' | 'bgpAdvertisements'> & Partial<Pick<Config, 'bfdProfiles'>>;

export interface SpeakerOptions {
  node: NodeInfo;
  /** Router ID when a peer has none (default: the node's IPv4 address, else the peer's source address). */
  routerId?: string;
  /** Port of the shared listener; undefined = no listener (active sessions only); 0 = ephemeral. */
  listenPort?: number;
  listenHost?: string;
  /** Native listener (TCP MD5 on incoming connections); default: when some peer has a password. */
  nativeListener?: boolean;
  /** RFC 4724 restart time advertised to every peer (seconds); 0/undefined = no GR capability. */
  gracefulRestartTime?: number;
  /** Never connect; only accept on the listener. */
  passive?: boolean;
  /**
   * RFC 5082 GTSM for directly connected eBGP peers: send with TTL 255 and drop what arrives with a TTL
   * below 254 (the peer must enable it too, e.g. BIRD `ttl security on`, FRR `ttl-security hops 1`).
   */
  gtsm?: boolean;
  /** This process restarted gracefully: set the R bit on the first OPEN of each session. */
  restarting?: boolean;
  /** Passwords from passwordSecret references (the caller reads Secrets). */
  resolvePassword?: (peer: Peer) => string | undefined;
  connectRetry?: { minSeconds: number; maxSeconds: number };
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  connector?: Connector;
  /** BFD sessions for peers with a bfdProfile (default: src/bgp/bfd over UDP). */
  bfdFactory?: () => Promise<BfdFactory>;
  /** Counters of every session (src/bgp/speaker/metrics.ts BgpMetrics), labelled by peer name. */
  metrics?: SessionMetrics;
  /** RFC 9687 send hold time for every session (seconds; default: the session's, 8 minutes). */
  sendHoldTime?: number;
}

/** A BFD session of a peer went up or down ('bfd' event). */
export interface BfdChange {
  peer: string;
  state: 'up' | 'down';
  diag: string;
}

export interface SpeakerProblem {
  peer: string;
  reason: string;
}

interface Running {
  peer: Peer;
  fingerprint: string;
  session: BgpSession;
  bfd?: { dispose(): void };
}

export class BgpSpeaker extends EventEmitter {
  private readonly opts: SpeakerOptions;
  private readonly log: Logger;
  private config: SpeakerConfig = { peers: [], bgpAdvertisements: [] };
  private announcements: Announcement[] = [];
  private readonly running = new Map<string, Running>();
  private listener: BgpListener | undefined;
  private started = false;
  private node: NodeInfo;
  /** Peers that could not get a session, and why (bad router ID, bad address). */
  problems: SpeakerProblem[] = [];

  constructor(opts: SpeakerOptions) {
    super();
    this.opts = opts;
    this.node = opts.node;
    this.log = opts.logger ?? createLogger({ level: 'silent' });
  }

  get listenPort(): number | undefined {
    return this.listener?.port;
  }

  sessions(): ReadonlyMap<string, BgpSession> {
    return new Map([...this.running].map(([k, v]) => [k, v.session]));
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.opts.listenPort !== undefined) {
      const needNative = this.opts.nativeListener ?? this.config.peers.some((p) => this.passwordOf(p) !== undefined);
      this.listener = new BgpListener({
        port: this.opts.listenPort,
        ...(this.opts.listenHost !== undefined ? { host: this.opts.listenHost } : {}),
        native: needNative,
        logger: this.log,
        ...(this.opts.clock ? { clock: this.opts.clock } : {}),
      });
      for (const r of this.running.values()) this.listener.add(r.session, this.passwordOf(r.peer));
      await this.listener.start();
    }
    for (const r of this.running.values()) r.session.start();
  }

  /** Stops every session (Cease 6/2, or silently with restart=true for graceful restart). */
  async stop(opts: { restart?: boolean } = {}): Promise<void> {
    this.started = false;
    const all = [...this.running.values()];
    this.running.clear();
    for (const r of all) r.bfd?.dispose();
    await Promise.all(all.map((r) => r.session.stop(opts)));
    await this.listener?.close();
    this.listener = undefined;
  }

  setConfig(config: SpeakerConfig): void {
    this.config = config;
    this.reconcile();
  }

  /**
   * The node's labels or addresses changed (Node object update): peers and advertisements are selected
   * again. Sessions whose peer still applies are kept; next hops given by the node apply to new
   * sessions and to routes (routes carry them).
   */
  setNode(node: NodeInfo): void {
    this.node = node;
    this.reconcile();
  }

  setAnnouncements(ips: Announcement[]): void {
    this.announcements = ips;
    this.reconcile();
  }

  private passwordOf(peer: Peer): string | undefined {
    return peer.password ?? (peer.passwordSecret ? this.opts.resolvePassword?.(peer) : undefined);
  }

  private reconcile(): void {
    const computed = computeRoutes(this.config, this.node, this.announcements);
    for (const p of computed.problems)
      this.log.warn({ event: 'announce-problem', ip: p.ip, reason: p.reason }, 'IP not announced');
    const wanted = new Map(computed.peers.map((p) => [p.name, p]));
    for (const [name, r] of this.running) {
      const peer = wanted.get(name);
      if (!peer || this.fingerprint(peer) !== r.fingerprint) {
        this.log.info({ event: 'peer-removed', peer: name, changed: peer !== undefined }, 'closing session');
        this.running.delete(name);
        r.bfd?.dispose();
        this.listener?.remove(r.session);
        // RFC 4486: 3 Peer De-configured, 6 Other Configuration Change.
        void r.session.stop({
          ceaseSubcode: peer ? CeaseSubcode.OtherConfigurationChange : CeaseSubcode.PeerDeConfigured,
        });
      }
    }
    const problems: SpeakerProblem[] = [];
    for (const peer of computed.peers) {
      let r = this.running.get(peer.name);
      if (!r) {
        const made = this.makeSession(peer);
        if (typeof made === 'string') {
          problems.push({ peer: peer.name, reason: made });
          this.log.error({ event: 'peer-invalid', peer: peer.name, reason: made }, 'peer skipped');
          continue;
        }
        r = { peer, fingerprint: this.fingerprint(peer), session: made };
        if (peer.bfdProfile !== undefined) {
          const profile = this.config.bfdProfiles?.find((b) => b.name === peer.bfdProfile);
          if (profile) {
            const device = peer.vrf !== undefined && peer.vrf !== '' ? peer.vrf : undefined;
            const onChange = (state: 'up' | 'down', diag: string): void => {
              this.emit('bfd', { peer: peer.name, state, diag } satisfies BfdChange);
            };
            r.bfd = linkBfd(made, profile, this.opts.bfdFactory ?? defaultBfdFactory, this.log, device, onChange);
          } else {
            problems.push({
              peer: peer.name,
              reason: `bfdProfile "${peer.bfdProfile}" not found: running without BFD`,
            });
          }
        }
        this.running.set(peer.name, r);
        this.listener?.add(made, this.passwordOf(peer));
        if (this.started) made.start();
      }
      r.session.set(computed.routes.get(peer.name) ?? []);
    }
    this.problems = problems;
  }

  private fingerprint(p: Peer): string {
    return JSON.stringify([
      p.myASN,
      p.peerASN,
      p.peerAddress,
      p.peerPort,
      p.sourceAddress,
      p.routerID,
      p.holdTime,
      p.keepaliveTime,
      this.passwordOf(p),
      p.ebgpMultiHop,
      p.vrf,
      p.bfdProfile,
      this.config.bfdProfiles?.find((b) => b.name === p.bfdProfile),
    ]);
  }

  private makeSession(peer: Peer): BgpSession | string {
    const node = this.node;
    const source = peer.sourceAddress !== undefined ? parseIp(peer.sourceAddress) : undefined;
    const routerId =
      peer.routerID ?? this.opts.routerId ?? node.ipv4 ?? (source?.family === 'ipv4' ? peer.sourceAddress : undefined);
    if (routerId === undefined) return 'no router ID: set routerID on the peer or give the node an IPv4 address';
    const password = this.passwordOf(peer);
    const o: SessionOptions = {
      name: peer.name,
      peerAddress: peer.peerAddress,
      peerPort: peer.peerPort,
      ...(peer.sourceAddress !== undefined ? { sourceAddress: peer.sourceAddress } : {}),
      localAsn: peer.myASN,
      peerAsn: peer.peerASN,
      routerId,
      holdTime: peer.holdTime,
      keepaliveTime: peer.keepaliveTime,
      nextHops: {
        ...(node.ipv4 !== undefined ? { ipv4: node.ipv4 } : {}),
        ...(node.ipv6 !== undefined ? { ipv6: node.ipv6 } : {}),
        ...(node.ipv6LinkLocal !== undefined ? { ipv6LinkLocal: node.ipv6LinkLocal } : {}),
      },
      ...(password !== undefined ? { password } : {}),
      ...sessionTtl(peer, this.opts.gtsm ?? false),
      ...(peer.vrf !== undefined && peer.vrf !== '' ? { device: peer.vrf } : {}),
      ...(this.opts.gracefulRestartTime
        ? { gracefulRestart: { restartTime: this.opts.gracefulRestartTime, restarting: this.opts.restarting ?? false } }
        : {}),
      ...(this.opts.passive ? { passive: true } : {}),
      ...(this.opts.connectRetry ? { connectRetry: this.opts.connectRetry } : {}),
      ...(this.opts.clock ? { clock: this.opts.clock } : {}),
      ...(this.opts.random ? { random: this.opts.random } : {}),
      ...(this.opts.connector ? { connector: this.opts.connector } : {}),
      ...(this.opts.metrics ? { metrics: this.opts.metrics } : {}),
      ...(this.opts.sendHoldTime !== undefined ? { sendHoldTime: this.opts.sendHoldTime } : {}),
      logger: this.log,
    };
    let session: BgpSession;
    try {
      session = new BgpSession(o);
    } catch (err) {
      return (err as Error).message;
    }
    session.on('state', (c: StateChange) => this.emit('state', c));
    session.on('advertised', (a: unknown) => this.emit('advertised', a));
    session.on('notification', (n: NotificationEvent) => this.emit('notification', n));
    return session;
  }
}

/**
 * The TTL our BGP packets leave with, and the least TTL we accept: 255 for eBGP multihop; for a directly
 * connected eBGP peer 1, so the session only comes up with a router on the same link (as BIRD, FRR,
 * GoBGP and MetalLB do), or with GTSM (RFC 5082) 255 out and at least 254 in; the kernel default for iBGP.
 */
export function sessionTtl(
  peer: { myASN: number; peerASN: number; ebgpMultiHop: boolean },
  gtsm = false,
): { ttl?: number; minTtl?: number } {
  if (peer.ebgpMultiHop) return { ttl: 255 };
  if (peer.myASN === peer.peerASN) return {};
  return gtsm ? { ttl: 255, minTtl: 254 } : { ttl: 1 };
}
