// Piggy-backed broadcasts (memberlist's TransmitLimitedQueue, simplified): the newest message about each
// member, sent with probes and gossip until it went out retransmitMult × ceil(log10(N+1)) times; the
// least transmitted first.
import type { SimpleMessage } from '../codec/index.ts';
import { partLength } from '../codec/index.ts';

interface Item {
  key: string;
  message: SimpleMessage;
  size: number;
  transmits: number;
  seq: number;
}

export function retransmitLimit(mult: number, members: number): number {
  return mult * Math.ceil(Math.log10(members + 1));
}

export class BroadcastQueue {
  #items = new Map<string, Item>();
  #seq = 0;
  readonly #version: number;

  constructor(version: number) {
    this.#version = version;
  }

  /** Queues `message` about `key` (a member name), replacing an older one about the same member. */
  add(key: string, message: SimpleMessage): void {
    this.#items.set(key, { key, message, size: partLength(message, this.#version), transmits: 0, seq: this.#seq++ });
  }

  get size(): number {
    return this.#items.size;
  }

  /** Pending message about `key`, if any. */
  get(key: string): SimpleMessage | undefined {
    return this.#items.get(key)?.message;
  }

  /** Takes messages fitting in `budget` octets (part headers included), counting a transmit for each. */
  take(budget: number, limit: number): SimpleMessage[] {
    if (this.#items.size === 0 || budget <= 0) return [];
    const items = [...this.#items.values()].sort((a, b) => a.transmits - b.transmits || b.seq - a.seq);
    const out: SimpleMessage[] = [];
    let left = budget;
    for (const it of items) {
      if (out.length >= 200) break;
      if (it.size > left) continue;
      out.push(it.message);
      left -= it.size;
      it.transmits++;
      if (it.transmits >= limit) this.#items.delete(it.key);
    }
    return out;
  }

  clear(): void {
    this.#items.clear();
  }
}
