// A FerroLB BfdSession in a child process inside a namespace (fixtures/bfd-peer.ts) and its JSON event lines.
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../../src/lab/bgp/index.ts';
import type { Daemon, Lab } from '../../../src/lab/bgp/index.ts';

const PEER = fileURLToPath(new URL('./fixtures/bfd-peer.ts', import.meta.url));

export interface BfdLine {
  event: string;
  t: number;
  [k: string]: unknown;
}

export interface BfdPeerExtra {
  device?: string;
  multihop?: boolean;
}

export function spawnBfdPeer(
  lab: Lab,
  name: string,
  ns: string,
  local: string,
  peer: string,
  profile: object = {},
  extra: BfdPeerExtra = {},
): Daemon {
  return lab.spawn(name, ns, [process.execPath, PEER, JSON.stringify({ local, peer, profile, ...extra })]);
}

export function bfdLines(d: Daemon): BfdLine[] {
  return d
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as BfdLine);
}

export function waitBfdLine(
  d: Daemon,
  pred: (l: BfdLine) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<BfdLine> {
  return waitFor(() => bfdLines(d).find(pred), {
    what,
    timeoutMs,
    intervalMs: 20,
    diagnostics: () => d.output().slice(-3000),
  });
}
