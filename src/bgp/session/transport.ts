// How a session opens its TCP connection. Plain node:net unless a TCP MD5 password, TTL/GTSM option or
// device binding is configured: then the native addon's connectTcp (src/native) sets them before SYN.
import net from 'node:net';

export interface ConnectOptions {
  host: string;
  port: number;
  localAddress?: string;
  password?: string;
  /** Outgoing TTL / hop limit (eBGP multihop: 255; directly connected eBGP: 1 is the classic default). */
  ttl?: number;
  /** GTSM (RFC 5082) minimum incoming TTL. */
  minTtl?: number;
  device?: string;
  timeoutMs: number;
}

export type Connector = (opts: ConnectOptions) => Promise<net.Socket>;

export function needsNative(o: { password?: string; ttl?: number; minTtl?: number; device?: string }): boolean {
  return o.password !== undefined || o.ttl !== undefined || o.minTtl !== undefined || o.device !== undefined;
}

export const defaultConnector: Connector = async (opts) => {
  if (needsNative(opts)) {
    const native = await import('../../native/index.ts');
    return native.connectTcp({
      host: opts.host,
      port: opts.port,
      ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}),
      ...(opts.password !== undefined ? { md5Key: opts.password } : {}),
      ...(opts.ttl !== undefined ? { ttl: opts.ttl } : {}),
      ...(opts.minTtl !== undefined ? { minTtl: opts.minTtl } : {}),
      ...(opts.device !== undefined ? { device: opts.device } : {}),
      timeoutMs: opts.timeoutMs,
    });
  }
  return plainConnect(opts);
};

export function plainConnect(opts: ConnectOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({
      host: opts.host,
      port: opts.port,
      ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect ETIMEDOUT ${opts.host}:${opts.port} after ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    timer.unref();
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

/** The peer address of an accepted socket, without the IPv4-mapped prefix. */
export function remoteAddressOf(socket: net.Socket): string | undefined {
  const a = socket.remoteAddress;
  if (a === undefined) return undefined;
  return a.startsWith('::ffff:') && net.isIPv4(a.slice(7)) ? a.slice(7) : a;
}

export function localAddressOf(socket: net.Socket): string | undefined {
  const a = socket.localAddress;
  if (a === undefined) return undefined;
  return a.startsWith('::ffff:') && net.isIPv4(a.slice(7)) ? a.slice(7) : a;
}
