// BGP's TCP sockets: the addon creates the socket with TCP MD5 / TTL / GTSM / bind-to-device already set,
// then Node takes it over by fd and drives connect() / listen() on its own event loop (libuv reuses the
// descriptor), so nothing blocks and the result is a plain net.Socket / net.Server.
import net from 'node:net';
import { nativeAddon } from './addon.ts';
import type { Md5Entry } from './addon.ts';

export interface ConnectTcpOptions {
  /** Peer address (literal; BGP peers are configured by address, no name lookup). */
  host: string;
  port: number;
  /** Defaults to the family of `host`. */
  family?: 4 | 6;
  localAddress?: string;
  localPort?: number;
  /** RFC 2385 key for this peer; the SYN is already signed. */
  md5Key?: string | Uint8Array;
  /** Outgoing IP TTL / hop limit: 1 for directly connected eBGP, >1 for multihop, 255 for GTSM. */
  ttl?: number;
  /** GTSM (RFC 5082): drop segments arriving with a lower TTL / hop limit (254 for one hop). */
  minTtl?: number;
  /** SO_BINDTODEVICE (e.g. a VRF device). */
  device?: string;
  /** Give up (and destroy the socket) when not connected after this long. */
  timeoutMs: number;
}

export interface ListenTcpOptions {
  host: string;
  port: number;
  /** One key per peer; a peer without a key here may connect only unsigned. */
  md5Keys?: Md5Entry[];
  ttl?: number;
  minTtl?: number;
  device?: string;
  backlog?: number;
}

export class InvalidSocketOptionError extends TypeError {
  readonly code = 'ERR_INVALID_ARG_VALUE';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSocketOptionError';
  }
}

export class ConnectTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(host: string, port: number, timeoutMs: number) {
    super(
      `connect ETIMEDOUT ${host}:${port}: not connected after ${timeoutMs} ms ` +
        '(no route, a filter, or a TCP MD5 key mismatch, which the peer silently drops)',
    );
    this.name = 'ConnectTimeoutError';
  }
}

function familyOf(where: string, host: string, family: 4 | 6 | undefined): 4 | 6 {
  const detected = net.isIP(host);
  if (detected === 0) throw new InvalidSocketOptionError(`${where}: host "${host}" is not an IP address`);
  if (family !== undefined && family !== detected) {
    throw new InvalidSocketOptionError(`${where}: host "${host}" is not an IPv${family} address`);
  }
  return detected as 4 | 6;
}

function checkPort(where: string, port: number, min: number): void {
  if (!Number.isInteger(port) || port < min || port > 65535) {
    throw new InvalidSocketOptionError(`${where}: port must be an integer in ${min}..65535, got ${port}`);
  }
}

/**
 * Connects with the options set before the SYN. Resolves once connected; rejects on bad options, a
 * system error (with its errno `code`, e.g. EPERM for SO_BINDTODEVICE), a refused connect or the timeout.
 */
export async function connectTcp(opts: ConnectTcpOptions): Promise<net.Socket> {
  const family = familyOf('connectTcp', opts.host, opts.family);
  checkPort('connectTcp', opts.port, 1);
  if (!(opts.timeoutMs > 0) || !Number.isFinite(opts.timeoutMs)) {
    throw new InvalidSocketOptionError(`connectTcp: timeoutMs must be a positive number, got ${opts.timeoutMs}`);
  }
  const addon = nativeAddon();
  const fd = addon.createTcpSocket({
    family,
    localAddress: opts.localAddress,
    localPort: opts.localPort,
    device: opts.device,
    ttl: opts.ttl,
    minTtl: opts.minTtl,
    md5: opts.md5Key === undefined ? undefined : [{ peer: opts.host, key: opts.md5Key }],
  });
  let socket: net.Socket;
  try {
    socket = new net.Socket({ fd });
  } catch (err) {
    addon.closeFd(fd);
    throw err;
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new ConnectTimeoutError(opts.host, opts.port, opts.timeoutMs));
    }, opts.timeoutMs);
    const onError = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once('error', onError);
    socket.connect({ host: opts.host, port: opts.port }, () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/** Listens with per-peer MD5 keys and TTL options; accepted sockets inherit them from the listener. */
export async function listenTcp(
  opts: ListenTcpOptions,
  onConnection?: (socket: net.Socket) => void,
): Promise<net.Server> {
  const family = familyOf('listenTcp', opts.host, undefined);
  checkPort('listenTcp', opts.port, 0);
  const addon = nativeAddon();
  const fd = addon.createTcpSocket({
    family,
    localAddress: opts.host,
    localPort: opts.port,
    device: opts.device,
    ttl: opts.ttl,
    minTtl: opts.minTtl,
    md5: opts.md5Keys,
    reuseAddress: true,
  });
  const server = net.createServer();
  if (onConnection) server.on('connection', onConnection);
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.close();
      reject(err);
    };
    server.once('error', onError);
    try {
      server.listen({ fd, backlog: opts.backlog ?? 64 }, () => {
        server.off('error', onError);
        resolve(server);
      });
    } catch (err) {
      addon.closeFd(fd);
      reject(err);
    }
  });
}

/** The descriptor behind a net.Server / net.Socket (Unix only; Node exposes it on the handle). */
export function handleFd(where: string, target: net.Server | net.Socket): number {
  const handle = (target as unknown as { _handle?: { fd?: number } | null })._handle;
  const fd = handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new InvalidSocketOptionError(`${where}: the socket is not open`);
  return fd;
}

/** Adds/replaces (key) or removes (null) a peer's MD5 key on a live listener, e.g. on a config change. */
export function setMd5Key(server: net.Server, peer: string, key: string | Uint8Array | null): void {
  familyOf('setMd5Key', peer, undefined);
  nativeAddon().setMd5Key(handleFd('setMd5Key', server), peer, key);
}

/** What the kernel holds for a socket's TTL / min TTL / device (logging, tests). */
export function socketOptions(target: net.Server | net.Socket): {
  family: 4 | 6;
  ttl: number;
  minTtl: number;
  device: string;
} {
  return nativeAddon().socketOptions(handleFd('socketOptions', target));
}
