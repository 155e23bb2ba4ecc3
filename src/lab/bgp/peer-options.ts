// The typed options every daemon wrapper takes to write its configuration: one BGP neighbor, seen
// from the daemon's side (local = the daemon, peer = the other end, usually the FerroLB speaker).

export type AfiSafi = 'ipv4' | 'ipv6';

export interface PeerOptions {
  /** Daemon's own address on the link; its family selects the session's transport. */
  localAddress: string;
  localAs: number;
  routerId: string;
  peerAddress: string;
  peerAs: number;
  /** Address families to negotiate (default both). */
  families?: AfiSafi[];
  /** TCP MD5 (RFC 2385) password. */
  md5?: string;
  /** Graceful restart (RFC 4724) helper with this restart time in seconds. */
  gracefulRestart?: { restartTime: number };
  /** BFD (RFC 5880) on this session with these intervals. */
  bfd?: { minRxMs: number; minTxMs: number; multiplier: number };
  /** eBGP multihop TTL. */
  multihop?: number;
  /** RFC 5082 GTSM (BIRD `ttl security on`). */
  ttlSecurity?: boolean;
  /** Only accept connections, never connect (default false: the daemon connects too). */
  passive?: boolean;
  holdTime?: number;
  /** Routes the daemon itself originates (prefix text, e.g. 203.0.113.0/24). */
  originate?: string[];
  /** Attributes put on the originated routes. */
  originateAttributes?: { communities?: string[]; largeCommunities?: string[]; med?: number };
}

export const familiesOf = (o: PeerOptions): AfiSafi[] => o.families ?? ['ipv4', 'ipv6'];
export const isIpv6 = (addr: string): boolean => addr.includes(':');

/** A route as seen in a daemon's table, normalized across daemons. */
export interface SeenRoute {
  prefix: string;
  nextHop: string;
  asPath: number[];
  localPref?: number;
  /** "65000:1" form. */
  communities: string[];
  /** "1:2:3" form. */
  largeCommunities: string[];
  /** True when the daemon marks the route as stale (graceful restart). */
  stale: boolean;
}
