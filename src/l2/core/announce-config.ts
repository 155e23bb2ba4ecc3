// The announcer's timing, with defaults.

export interface AnnounceConfig {
  /** Announcements after the first one for each gained IP. */
  repeats: number;
  /** Gap between the first announcement and each repeat. */
  repeatIntervalMs: number;
  /** After the repeats, announce every this many ms while the IP is owned; 0 turns refreshes off. */
  refreshIntervalMs: number;
  /** Repeats, refreshes and re-assertions sent per pacing slot (first announcements are never paced). */
  pacingBurst: number;
  /** Time between two pacing slots. */
  pacingIntervalMs: number;
  /** A conflict re-asserts ownership at most this often per IP (two owners must not flood the LAN). */
  reassertIntervalMs: number;
}

export function defaultAnnounceConfig(): AnnounceConfig {
  return {
    // Two more after the first, like MetalLB's few repeats: a lost first frame or a cache still inside its
    // lock time gets another chance, without flooding the LAN.
    repeats: 2,
    // Linux ignores a second ARP update of an entry within locktime (1 s, net.ipv4.neigh.*.locktime):
    // repeats must be more than 1 s apart to count.
    repeatIntervalMs: 1100,
    // Switches whose FDB ages out (often 300 s) before routers' ARP entries (often hours) flood or drop
    // traffic to the IP (metallb#2910); a refresh well inside 300 s keeps the FDB entry alive.
    refreshIntervalMs: 60_000,
    // 200 frames per 10 ms slot (≈ 20,000 frames/s): a 1,000-IP move repeats within ~50 ms without
    // bursting thousands of frames into a switch at once.
    pacingBurst: 200,
    pacingIntervalMs: 10,
    // Once a second at most: the Linux lock time, so each re-assertion can win the cache.
    reassertIntervalMs: 1000,
  };
}

/** Throws a RangeError naming the field when a value is unusable. */
export function checkAnnounceConfig(c: AnnounceConfig): void {
  const nonNeg = (v: number, name: string): void => {
    if (!Number.isFinite(v) || v < 0)
      throw new RangeError(`announce config ${name}: ${v} is not a non-negative number`);
  };
  nonNeg(c.repeats, 'repeats');
  if (!Number.isInteger(c.repeats)) throw new RangeError(`announce config repeats: ${c.repeats} is not an integer`);
  nonNeg(c.repeatIntervalMs, 'repeatIntervalMs');
  nonNeg(c.refreshIntervalMs, 'refreshIntervalMs');
  nonNeg(c.pacingIntervalMs, 'pacingIntervalMs');
  nonNeg(c.reassertIntervalMs, 'reassertIntervalMs');
  if (!Number.isInteger(c.pacingBurst) || c.pacingBurst < 1)
    throw new RangeError(`announce config pacingBurst: ${c.pacingBurst} must be an integer ≥ 1`);
}
