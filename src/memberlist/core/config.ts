// Every protocol setting with its default, chosen for FerroLB's goals at N up to 100 on a LAN: a killed
// node reported by every survivor within 1 s (p99), no false deaths at 10 % packet loss, few at 20 %,
// graceful leave seen within 100 ms, a healed partition merged within 5 s, idle cost well under 1 % of a
// core per member. Figures: `npm run bench -- membership`.
import type { Address } from '../codec/index.ts';
import { PROTOCOL_VERSION } from '../codec/index.ts';

export interface SwimConfig {
  /** This member's unique name. */
  name: string;
  /** Where others reach this member (UDP and TCP). */
  addr: Address;
  /** Small opaque metadata carried in alive messages (at most 512 octets). */
  meta: Uint8Array;
  probeIntervalMs: number;
  probeTimeoutMs: number;
  indirectChecks: number;
  tcpFallback: boolean;
  suspicionMinMs: number;
  suspicionLogScale: number;
  suspicionMaxMult: number;
  expectedConfirmations: number;
  awarenessMax: number;
  gossipIntervalMs: number;
  gossipNodes: number;
  retransmitMult: number;
  pushPullIntervalMs: number;
  streamTimeoutMs: number;
  healIntervalMs: number;
  healDialsPerRound: number;
  deadReapMs: number;
  gossipToDeadMs: number;
  leaveFanoutRepeats: number;
  suspectNotifyRepeats: number;
  maxPacketBytes: number;
  protocolVersion: number;
}

export type SwimOptions = Pick<SwimConfig, 'name' | 'addr'> & Partial<SwimConfig>;

export function defaultSwimConfig(name: string, addr: Address): SwimConfig {
  return {
    name,
    addr,
    // Nothing by default; the speaker may put a small node description here.
    meta: new Uint8Array(0),
    // Probe one member every 150 ms: the probe ring (swim.ts) has every member probed once per period, so
    // a dead member is first probed within 150 ms and judged at the period's end; with the suspicion below
    // every survivor reports it within ~0.7 s (fake clock, N=30; ~0.9 s at 200 ms). The period is most of
    // the idle cost: a 5-member lab measured at the same time gave 1.20 % of a core per member at 100 ms,
    // 0.92 % at 150 ms, 0.66 % at 200 ms (load average 8–40). ~7 small datagrams/s sent per member.
    probeIntervalMs: 150,
    // A LAN round trip is < 1 ms; 40 ms leaves room for a busy event loop before going indirect (and
    // Lifeguard's awareness multiplies it on a member that misses its own acks).
    probeTimeoutMs: 40,
    // Three relays as SWIM/memberlist: at 20 % loss a 4-hop path succeeds 41 % of the time, so three
    // independent paths plus a second direct ping leave ~7 % unanswered probes of a live member.
    indirectChecks: 3,
    // The TCP ping gets through when UDP is filtered but TCP is not.
    tcpFallback: true,
    // Shortest suspicion (reached with enough confirmations): a suspected member is told directly and
    // refutes in one round trip, so 250 ms is ample for a live one while keeping detection under 1 s.
    suspicionMinMs: 250,
    // Grow the minimum with log10(N) by this factor beyond N=10 (dissemination takes log N rounds).
    suspicionLogScale: 0.5,
    // Lifeguard: an unconfirmed suspicion lasts up to 4× the minimum (1 s), shrinking with independent
    // confirmations; a lone lossy prober cannot kill a member quickly.
    suspicionMaxMult: 4,
    // Lifeguard's K: two independent confirmations bring the timeout down to the minimum.
    expectedConfirmations: 2,
    // Lifeguard local health: up to 8× slower probing and longer timeouts on a member that misses its
    // own acks (overloaded, stalled), so it accuses nobody while it is the sick one.
    awarenessMax: 8,
    // Gossip queued broadcasts every 50 ms to 3 members besides piggy-backing them on probes: news reaches
    // 100 members in ~4 rounds (200 ms). Nothing is sent when nothing is queued.
    gossipIntervalMs: 50,
    gossipNodes: 3,
    // Each broadcast is sent retransmitMult × ceil(log10(N+1)) times (memberlist's rule): 4 → 8 at N=100.
    retransmitMult: 4,
    // Full state exchange with one random member every 10 s (anti-entropy; memberlist's LAN default is 30 s
    // — cheap at N ≤ 100: a few kB over TCP; ~5 % of an idle member's CPU at N=5). 30 s was tried: members
    // joining at the same moment then took longer than 5 s to all see each other (swim.test.ts).
    pushPullIntervalMs: 10_000,
    // Stream exchanges (push-pull, TCP ping) are bounded by this.
    streamTimeoutMs: 2_000,
    // Healing: every second re-dial a few missing configured peers and dead members by push-pull, so a
    // healed partition merges within a few seconds (memberlist never does this by itself).
    healIntervalMs: 1_000,
    healDialsPerRound: 2,
    // Forget dead members after 15 minutes (re-dialled until then).
    deadReapMs: 15 * 60_000,
    // Keep gossiping to a member for 5 s after its death, so a falsely declared member hears it and refutes.
    gossipToDeadMs: 5_000,
    // Leave: send the left message straight to every member twice (plus gossip): seen at once even at 20 % loss.
    leaveFanoutRepeats: 2,
    // The accuser tells the suspect directly (twice) so it can refute without waiting for gossip.
    suspectNotifyRepeats: 2,
    // Stay under a 1500-octet MTU after the security layer's 41 octets and IP/UDP headers.
    maxPacketBytes: 1_350,
    protocolVersion: PROTOCOL_VERSION,
  };
}

export function resolveSwimConfig(opts: SwimOptions): SwimConfig {
  const base = defaultSwimConfig(opts.name, opts.addr);
  const cfg: SwimConfig = { ...base };
  for (const [k, v] of Object.entries(opts)) if (v !== undefined) (cfg as unknown as Record<string, unknown>)[k] = v;
  const problems: string[] = [];
  if (!cfg.name) problems.push('name: must not be empty');
  if (new TextEncoder().encode(cfg.name).length > 255) problems.push('name: longer than 255 octets');
  for (const k of [
    'probeIntervalMs',
    'probeTimeoutMs',
    'suspicionMinMs',
    'gossipIntervalMs',
    'pushPullIntervalMs',
    'streamTimeoutMs',
    'healIntervalMs',
  ] as const) {
    if (!(cfg[k] > 0)) problems.push(`${k}: must be > 0, got ${cfg[k]}`);
  }
  if (cfg.probeTimeoutMs >= cfg.probeIntervalMs)
    problems.push(`probeTimeoutMs (${cfg.probeTimeoutMs}) must be below probeIntervalMs (${cfg.probeIntervalMs})`);
  if (cfg.meta.length > 512) problems.push(`meta: ${cfg.meta.length} octets, at most 512`);
  if (cfg.maxPacketBytes < 512) problems.push(`maxPacketBytes: at least 512, got ${cfg.maxPacketBytes}`);
  if (problems.length > 0) throw new Error(`memberlist config: ${problems.join('; ')}`);
  return cfg;
}
