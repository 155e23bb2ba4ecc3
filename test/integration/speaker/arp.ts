// Who answers ARP for an IP, as the speaker lab's client sees it (node names), and a bounded wait on it:
// shared by the speaker tests that watch an IP move between nodes.
import { waitFor } from '../../../src/lab/index.ts';
import { answeringMacs, macOf, type SpeakerNet } from '../../../src/lab/speaker-net.ts';

/** The nodes whose MACs answer `count` ARP requests for `ip` from the client, sorted (unknown MACs named as such). */
export function answeringNodes(net: SpeakerNet, ip: string, count = 2): string[] {
  const name = (mac: string) => net.nodes.find((n) => macOf(n.ns, n.ifname) === mac)?.name ?? `unknown ${mac}`;
  return answeringMacs(net.clientNs, 'fsp0', ip, count).map(name).sort();
}

/** Waits until the nodes answering ARP for `ip` satisfy `want`; returns them. */
export async function waitAnswering(
  net: SpeakerNet,
  ip: string,
  want: (nodes: string[]) => boolean,
  what: string,
  diagnostics: () => string,
  timeoutMs = 60_000,
): Promise<string[]> {
  let last: string[] = [];
  return waitFor(
    () => {
      last = answeringNodes(net, ip);
      return want(last) && last;
    },
    {
      what: `${what} (ARP for ${ip})`,
      timeoutMs,
      intervalMs: 200,
      diagnostics: () => `last answering: ${last.join(', ')}\n${diagnostics()}`,
    },
  );
}
