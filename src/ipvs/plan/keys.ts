// Identity of virtual and real servers in the form ipvsadm itself prints (`192.0.2.1:80`,
// `[2001:db8::1]:80`), so keys, batch lines and parsed output share one spelling.
import type { Family, Protocol, VirtualServer } from './types.ts';

export function hostPort(address: string, family: Family, port: number): string {
  return family === 'ipv6' ? `[${address}]:${port}` : `${address}:${port}`;
}

export function familyOf(address: string): Family {
  return address.includes(':') ? 'ipv6' : 'ipv4';
}

/** `TCP/192.0.2.1:80`. */
export function vsKey(protocol: Protocol, address: string, port: number): string {
  return `${protocol}/${hostPort(address, familyOf(address), port)}`;
}

export function vsKeyOf(vs: VirtualServer): string {
  return vsKey(vs.protocol, vs.address, vs.port);
}

/** `10.0.0.1:8080` / `[2001:db8::2]:8080`. */
export function realKey(address: string, port: number): string {
  return hostPort(address, familyOf(address), port);
}

/** A real server under a virtual server: the drain bookkeeping's key. */
export function drainKey(vsk: string, rk: string): string {
  return `${vsk}->${rk}`;
}
