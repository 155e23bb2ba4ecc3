// Interface facts from sysfs (/sys/class/net/<name>): index, MAC, IFF_UP / IFF_NOARP flags, operational
// state and master (bond or bridge). sysfs shows the network namespace it was mounted in; `ip netns exec`
// mounts the namespace's own.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { parseMac } from './codec/index.ts';
import type { InterfaceFacts } from './core/index.ts';

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_NOARP = 0x80;
const ARPHRD_ETHER = 1;

export class InterfaceNotFoundError extends Error {
  readonly code = 'ERR_FERROLB_NO_SUCH_INTERFACE';
  constructor(name: string) {
    super(`interface "${name}" does not exist in this network namespace (no /sys/class/net/${name})`);
    this.name = 'InterfaceNotFoundError';
  }
}

function read(dir: string, file: string): string {
  return readFileSync(`${dir}/${file}`, 'utf8').trim();
}

/** Facts of an Ethernet interface, or undefined for other link types (loopback, tunnels, ...). */
export function readInterfaceFacts(name: string, root = '/sys/class/net'): InterfaceFacts | undefined {
  if (name.includes('/') || name === '.' || name === '..') throw new InterfaceNotFoundError(name);
  const dir = `${root}/${name}`;
  if (!existsSync(dir)) throw new InterfaceNotFoundError(name);
  const flags = parseInt(read(dir, 'flags'), 16);
  if (Number(read(dir, 'type')) !== ARPHRD_ETHER || (flags & IFF_LOOPBACK) !== 0) return undefined;
  const oper = read(dir, 'operstate');
  const facts: InterfaceFacts = {
    name,
    index: Number(read(dir, 'ifindex')),
    mac: parseMac(read(dir, 'address'), `${name} address`),
    up: (flags & IFF_UP) !== 0 && oper !== 'down' && oper !== 'lowerlayerdown',
    noArp: (flags & IFF_NOARP) !== 0,
  };
  if (existsSync(`${dir}/master`)) facts.master = basename(readlinkSync(`${dir}/master`));
  return facts;
}

/** Names of every interface in this namespace. */
export function listInterfaces(root = '/sys/class/net'): string[] {
  return readdirSync(root).sort();
}
