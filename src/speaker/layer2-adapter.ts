// Layer 2 port over the Layer 2 component (src/l2 `Layer2`): the speaker's announcements become its
// desired state per interface ('*' = every usable interface), and its conflict events the speaker's.
// Typed structurally so the speaker does not depend on the component's internals.
import type { Layer2Announcement } from './desired.ts';
import type { Layer2Conflict, Layer2Port } from './ports.ts';

/** The part of src/l2's Layer2 this adapter uses. */
export interface Layer2Component {
  set(desired: ReadonlyMap<string, Iterable<string>>): void;
  on(event: 'conflict', fn: (c: { interface: string; ip: string; mac: string }) => void): unknown;
  /** Interfaces not used now and why ('open-failed': the packet socket would not open; retried). */
  skipped(): ReadonlyMap<string, string>;
  close(): void;
}

export const ALL_INTERFACES = '*';

/** Announcements → IPs per interface name. */
export function byInterface(announcements: readonly Layer2Announcement[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const a of announcements) {
    for (const name of a.interfaces.all ? [ALL_INTERFACES] : a.interfaces.names) {
      let s = out.get(name);
      if (!s) out.set(name, (s = new Set()));
      s.add(a.ip);
    }
  }
  return out;
}

export class Layer2Adapter implements Layer2Port {
  readonly #l2: Layer2Component;

  constructor(l2: Layer2Component) {
    this.#l2 = l2;
  }

  set(announcements: readonly Layer2Announcement[]): void {
    this.#l2.set(byInterface(announcements));
  }

  onConflict(fn: (c: Layer2Conflict) => void): void {
    this.#l2.on('conflict', (c) => fn({ ip: c.ip, interface: c.interface, mac: c.mac }));
  }

  problem(): string | undefined {
    const failed = [...this.#l2.skipped()].flatMap(([name, reason]) => (reason === 'open-failed' ? [name] : []));
    if (failed.length === 0) return undefined;
    return `Layer 2: no packet socket on ${failed.join(', ')} (CAP_NET_RAW missing?), so ARP/NDP for the IPs this node owns goes unanswered; retried`;
  }

  async stop(): Promise<void> {
    this.#l2.close();
  }
}
