// SessionOptions → the FSM's configuration, checked: a bad peer address, hold time, AS number or router
// ID is a clear error naming the peer, thrown when the session is made. And → the TCP connect options.
import type { AfiSafi, FsmConfig } from '../fsm/index.ts';
import { canonicalIp, parseIp } from '../../net/ip.ts';
import type { SessionOptions } from './session-types.ts';
import type { ConnectOptions } from './transport.ts';
import { FAMILY_AFI, SAFI_UNICAST } from './wire.ts';

export function routerIdToNumber(routerId: string): number {
  const ip = parseIp(routerId);
  if (!ip || ip.family !== 'ipv4') throw new Error(`router ID "${routerId}" is not an IPv4 address`);
  return Number(ip.value);
}

/** The canonical peer address and the FSM configuration for `opts`; throws when an option is invalid. */
export function sessionConfig(opts: SessionOptions): { peerAddress: string; cfg: FsmConfig } {
  const peerAddress = canonicalIp(opts.peerAddress);
  if (peerAddress === undefined) throw new Error(`peer address "${opts.peerAddress}" is not an IP address`);
  const holdTime = opts.holdTime ?? 90;
  if (!Number.isInteger(holdTime) || holdTime < 0 || holdTime > 65535 || holdTime === 1 || holdTime === 2) {
    throw new Error(`peer ${peerAddress}: hold time ${holdTime} must be 0 or 3..65535 seconds`);
  }
  for (const [what, asn] of [
    ['local AS', opts.localAsn],
    ['peer AS', opts.peerAsn],
  ] as const) {
    if (!Number.isInteger(asn) || asn < 1 || asn > 0xffffffff)
      throw new Error(`peer ${peerAddress}: ${what} ${asn} is not 1..4294967295`);
  }
  const families = opts.families ?? ['ipv4', 'ipv6'];
  const cfg: FsmConfig = {
    localAsn: opts.localAsn,
    peerAsn: opts.peerAsn,
    bgpId: routerIdToNumber(opts.routerId),
    holdTime,
    ...(opts.keepaliveTime !== undefined ? { keepaliveTime: opts.keepaliveTime } : {}),
    openHoldTime: opts.openHoldTime ?? 240,
    passive: opts.passive ?? false,
    families: families.map((f): AfiSafi => ({ afi: FAMILY_AFI[f], safi: SAFI_UNICAST })),
    connectRetry: opts.connectRetry ?? { minSeconds: 1, maxSeconds: 60 },
    random: opts.random ?? Math.random,
  };
  return { peerAddress, cfg };
}

/** How to connect to the peer at `host`: port 179 unless given, 30 s connect timeout unless given. */
export function connectOptions(o: SessionOptions, host: string): ConnectOptions {
  return {
    host,
    port: o.peerPort ?? 179,
    ...(o.sourceAddress !== undefined ? { localAddress: o.sourceAddress } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
    ...(o.ttl !== undefined ? { ttl: o.ttl } : {}),
    ...(o.minTtl !== undefined ? { minTtl: o.minTtl } : {}),
    ...(o.device !== undefined ? { device: o.device } : {}),
    timeoutMs: o.connectTimeoutMs ?? 30_000,
  };
}
