// A BIRD 2 router for the speaker lab: one eBGP session per node (passive: the speakers connect out, as
// MetalLB's do), every route imported, ECMP across the nodes announcing the same prefix; queried
// through birdc. Config text is built purely; the process runs in the lab's router namespace.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SpeakerNet } from './speaker-net.ts';

export const ROUTER_ASN = 64500;
export const NODE_ASN = 64501;

export function birdRouterConfig(routerIp: string, nodes: readonly { name: string; ip: string }[]): string {
  const lines = [
    `router id ${routerIp};`,
    'protocol device {}',
    'protocol kernel { ipv4 { export none; import none; }; merge paths on; }',
  ];
  for (const n of nodes) {
    lines.push(
      `protocol bgp ${n.name.replace(/[^A-Za-z0-9_]/g, '_')} {`,
      `  local ${routerIp} as ${ROUTER_ASN};`,
      `  neighbor ${n.ip} as ${NODE_ASN};`,
      '  passive on;',
      '  connect retry time 1;',
      '  graceful restart on;',
      '  ipv4 { import all; export none; };',
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `show route` lines for a prefix: the next hops BIRD has for it (ECMP = several). */
export function parseNextHops(text: string): string[] {
  const hops = new Set<string>();
  for (const m of text.matchAll(/via (\d+\.\d+\.\d+\.\d+)/g)) hops.add(m[1] as string);
  return [...hops].sort();
}

export class BirdRouter {
  readonly #net: SpeakerNet;
  readonly socket: string;

  private constructor(net: SpeakerNet, socket: string) {
    this.#net = net;
    this.socket = socket;
  }

  static start(net: SpeakerNet, routerIp: string): BirdRouter {
    const conf = join(net.dir, 'bird.conf');
    const socket = join(net.dir, 'bird.ctl');
    writeFileSync(conf, birdRouterConfig(routerIp, net.nodes));
    net.spawn(net.routerNs, ['bird', '-f', '-c', conf, '-s', socket], join(net.dir, 'bird.log'));
    return new BirdRouter(net, socket);
  }

  birdc(command: string): string {
    const r = spawnSync('birdc', ['-s', this.socket, ...command.split(' ')], { encoding: 'utf8', timeout: 10_000 });
    return `${r.stdout}${r.stderr}`;
  }

  /** Next hops BIRD holds for `prefix` (e.g. 203.0.113.10/32). */
  nextHops(prefix: string): string[] {
    const text = this.birdc(`show route for ${prefix} all`);
    return /Network not found|not found/.test(text)
      ? []
      : parseNextHops(
          text
            .split('\n')
            .filter((l) => !l.includes('BGP.next_hop'))
            .join('\n'),
        );
  }

  /** Sessions by protocol name → BGP state. */
  sessions(): Map<string, string> {
    const out = new Map<string, string>();
    for (const line of this.birdc('show protocols').split('\n')) {
      const m = /^(\S+)\s+BGP\s+\S+\s+\S+\s+\S+\s+(\S+)/.exec(line);
      if (m) out.set(m[1] as string, m[2] as string);
    }
    return out;
  }
}
