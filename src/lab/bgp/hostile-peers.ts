// The hostile-peer lab shared by the issue-11 integration test and its benchmark: the speaker's
// MetalLB-format configuration for a set of peers, and raw peers (hostile-peer-process.ts) started in a
// namespace whose JSON event lines are collected.
import { fileURLToPath } from 'node:url';
import type { Daemon } from './exec.ts';
import { CLI, NODE_BIN } from './ferrolb.ts';
import type { Lab } from './netns.ts';
import { procStatusKib } from '../logged-child.ts';

const PROCESS = fileURLToPath(new URL('./hostile-peer-process.ts', import.meta.url));

export interface HostilePeerSpec {
  address: string;
  asn: number;
  /** Hold time in seconds (keepalive a third of it, at least 1 s). */
  hold: number;
}

/** IPAddressPool `lab` over `pools`, a BGPAdvertisement of it, one BGPPeer per entry of `peers`. */
export function hostilePeersYaml(speakerAs: number, pools: string[], peers: Record<string, HostilePeerSpec>): string {
  const meta = (name: string): string => `metadata:\n  name: ${name}\n  namespace: metallb-system`;
  const docs = [
    ['apiVersion: metallb.io/v1beta1', 'kind: IPAddressPool', meta('lab'), 'spec:', '  addresses:']
      .concat(pools.map((p) => `  - ${p}`))
      .join('\n'),
    ['apiVersion: metallb.io/v1beta1', 'kind: BGPAdvertisement', meta('lab'), 'spec:', '  ipAddressPools: [lab]'].join(
      '\n',
    ),
  ];
  for (const [name, p] of Object.entries(peers)) {
    docs.push(
      [
        'apiVersion: metallb.io/v1beta2',
        'kind: BGPPeer',
        meta(name),
        'spec:',
        `  myASN: ${speakerAs}`,
        `  peerASN: ${p.asn}`,
        `  peerAddress: "${p.address}"`,
        `  holdTime: ${p.hold}s`,
        `  keepaliveTime: ${Math.max(1, Math.floor(p.hold / 3))}s`,
      ].join('\n'),
    );
  }
  return docs.join('\n---\n') + '\n';
}

export interface HostilePeer {
  daemon: Daemon;
  /** The JSON event lines the peer printed so far (`{"ev": "established", …}`). */
  events: Record<string, unknown>[];
  has(ev: string): boolean;
  /** Starts the role's attack (the process waits for "go" on stdin). */
  go(): void;
}

/** A raw peer process in `ns` playing `role` (healthy, refresh, storm, deaf, idle…) against `speaker`. */
export function startHostilePeer(
  lab: Lab,
  ns: string,
  role: string,
  speaker: string,
  local: string,
  asn: number,
  n: number,
): HostilePeer {
  const daemon = lab.spawn(
    `peer-${role}`,
    ns,
    [NODE_BIN, PROCESS, role, speaker, local, String(asn), String(n)],
    undefined,
    {
      stdin: true,
    },
  );
  const events: Record<string, unknown>[] = [];
  daemon.onLine((l) => {
    if (l.startsWith('{')) events.push(JSON.parse(l) as Record<string, unknown>);
  });
  return {
    daemon,
    events,
    has: (ev) => events.some((e) => e['ev'] === ev),
    go: () => void daemon.child.stdin!.write('go\n'),
  };
}

/** VmRSS of a process in KiB (NaN once it has exited). */
export const rssKib = (pid: number): number => procStatusKib(pid, 'VmRSS') ?? NaN;

/** The FerroLB speaker of the hostile-peer lab: `ferrolb bgp` with `config`, passive on port 179 in `ns`. */
export function startHostileSpeaker(
  lab: Lab,
  ns: string,
  o: { config: string; sendHoldTime: number; logLevel: string; announce: readonly string[] },
): Daemon {
  return lab.spawn('ferrolb', ns, [
    NODE_BIN,
    CLI,
    'bgp',
    '--config',
    o.config,
    '--router-id',
    '192.0.2.1',
    '--passive',
    '--listen-port',
    '179',
    '--send-hold-time',
    String(o.sendHoldTime),
    '--log-level',
    o.logLevel,
    ...o.announce.flatMap((ip) => ['--announce', ip]),
  ]);
}
