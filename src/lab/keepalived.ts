// keepalived (VRRP) in the speaker lab's node namespaces: the failover benchmark's baseline, run in the
// same namespaces, with the same client probes, as FerroLB. Every node starts BACKUP with nopreempt,
// so a node that comes back does not take the address back (one failover per kill, as with FerroLB).
// VRRPv3 (RFC 5798): advertisement intervals below one second.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetNode, SpeakerNet } from './speaker-net.ts';

export function keepalivedConfig(node: NetNode, priority: number, vip: string, advertSeconds: number): string {
  return `global_defs {
  router_id ${node.name}
  vrrp_version 3
  vrrp_garp_master_delay 0
  vrrp_garp_master_repeat 1
}
vrrp_instance fsp {
  state BACKUP
  nopreempt
  interface ${node.ifname}
  virtual_router_id 51
  priority ${priority}
  advert_int ${advertSeconds}
  virtual_ipaddress {
    ${vip}/32 dev ${node.ifname}
  }
}
`;
}

export class KeepalivedLab {
  readonly #net: SpeakerNet;
  readonly #vip: string;
  readonly #advert: number;
  #starts = 0;

  constructor(net: SpeakerNet, vip: string, advertSeconds: number) {
    this.#net = net;
    this.#vip = vip;
    this.#advert = advertSeconds;
  }

  /** A VIP left on the interface by a killed keepalived would answer as soon as the link is up. */
  clearVip(i: number): void {
    const node = this.#net.nodes[i] as NetNode;
    spawnSync('ip', ['netns', 'exec', node.ns, 'ip', 'addr', 'del', `${this.#vip}/32`, 'dev', node.ifname]);
  }

  /**
   * Starts node i's keepalived. Pid files are new for every start: a killed keepalived's VRRP child can
   * stay a zombie (nothing reaps it in some containers), and a new keepalived finding its pid in the old
   * file says "daemon is already running" and exits — the baseline then had no backup left to fail over to.
   */
  start(i: number): void {
    const node = this.#net.nodes[i] as NetNode;
    const dir = this.#net.dir;
    const run = ++this.#starts;
    const conf = join(dir, `keepalived-${node.name}.conf`);
    writeFileSync(conf, keepalivedConfig(node, 100 + i, this.#vip, this.#advert));
    this.clearVip(i);
    this.#net.spawn(
      node.ns,
      [
        'keepalived',
        '-n',
        '-l',
        '--vrrp',
        '-f',
        conf,
        '-p',
        join(dir, `ka-${node.name}-${run}.pid`),
        '-r',
        join(dir, `ka-vrrp-${node.name}-${run}.pid`),
      ],
      join(dir, `keepalived-${node.name}.log`),
    );
  }
}
