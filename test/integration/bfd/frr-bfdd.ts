// FRR's bfdd alone in a namespace (no zebra needed for single-hop peers configured by address), as user
// frr (its vty group), with a private directory for config, pid and vty socket.
import { chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { waitFor } from '../../../src/lab/bgp/index.ts';
import type { Daemon, Lab } from '../../../src/lab/bgp/index.ts';

export interface BfddPeer {
  peer: string;
  local: string;
  receiveInterval?: number;
  transmitInterval?: number;
  detectMultiplier?: number;
  /** RFC 5883 multihop peer (UDP 4784) with FRR's minimum-ttl. */
  multihop?: boolean;
  minimumTtl?: number;
}

export interface BfddPeerStatus {
  peer: string;
  multihop: boolean;
  status: string;
  id: number;
  'remote-id': number;
  diagnostic: string;
  'remote-diagnostic': string;
  'remote-receive-interval': number;
  'remote-transmit-interval': number;
  'transmit-interval': number;
}

function peerHeader(p: BfddPeer): string {
  return `peer ${p.peer}${p.multihop ? ' multihop' : ''} local-address ${p.local}`;
}

function peerBlock(p: BfddPeer): string[] {
  return [
    ` ${peerHeader(p)}`,
    ...(p.minimumTtl !== undefined ? [`  minimum-ttl ${p.minimumTtl}`] : []),
    `  receive-interval ${p.receiveInterval ?? 300}`,
    `  transmit-interval ${p.transmitInterval ?? 300}`,
    `  detect-multiplier ${p.detectMultiplier ?? 3}`,
    ' !',
  ];
}

export class Bfdd {
  readonly lab: Lab;
  readonly ns: string;
  readonly dir: string;
  readonly daemon: Daemon;

  constructor(lab: Lab, ns: string, dir: string, daemon: Daemon) {
    this.lab = lab;
    this.ns = ns;
    this.dir = dir;
    this.daemon = daemon;
  }

  static async start(lab: Lab, ns: string, peers: BfddPeer[]): Promise<Bfdd> {
    const dir = lab.tmpDir('bfdd');
    const uid = Number(execFileSync('id', ['-u', 'frr'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'frr'], { encoding: 'utf8' }).trim());
    const conf = join(dir, 'bfdd.conf');
    writeFileSync(conf, ['log stdout informational', 'bfd', ...peers.flatMap(peerBlock), '!', ''].join('\n'));
    chownSync(dir, uid, gid);
    chownSync(conf, uid, gid);
    const daemon = lab.spawn('bfdd', ns, [
      '/usr/lib/frr/bfdd',
      '-u',
      'frr',
      '-g',
      'frr',
      '-f',
      conf,
      '-i',
      join(dir, 'bfdd.pid'),
      '--vty_socket',
      dir,
      '-z',
      join(dir, 'zserv.api'),
      '--bfdctl',
      join(dir, 'bfdd.sock'),
      '-P',
      '0',
      '--log',
      'stdout',
      '--log-level',
      'info',
    ]);
    const bfdd = new Bfdd(lab, ns, dir, daemon);
    await waitFor(
      async () => {
        if (daemon.child.exitCode !== null) throw new Error(`bfdd exited: ${daemon.output()}`);
        await bfdd.peers();
        return true;
      },
      { what: 'FRR bfdd vty', timeoutMs: 15_000, intervalMs: 100, diagnostics: () => daemon.output() },
    );
    return bfdd;
  }

  vtysh(...commands: string[]): Promise<string> {
    return this.lab.exec(
      this.ns,
      ['vtysh', '--vty_socket', this.dir, '-d', 'bfdd', ...commands.flatMap((c) => ['-c', c])],
      { timeoutMs: 15_000 },
    );
  }

  async peers(): Promise<BfddPeerStatus[]> {
    return JSON.parse(await this.vtysh('show bfd peers json')) as BfddPeerStatus[];
  }

  async peer(address: string): Promise<BfddPeerStatus | undefined> {
    return (await this.peers()).find((p) => p.peer === address);
  }

  /** Runs configuration lines under `bfd` / `peer X local-address Y`. */
  configurePeer(p: BfddPeer, ...lines: string[]): Promise<string> {
    return this.vtysh('configure terminal', 'bfd', peerHeader(p), ...lines);
  }
}
