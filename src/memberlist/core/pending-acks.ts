// The probes waiting for an ack, by sequence number. Sequence numbers are this member's own, handed out
// one after another, and a probe waits at most a probe interval, so the waiting ones are a short run of
// recent numbers: a ring indexed by `seq mod capacity` holds them, doubling only when a new number's
// slot is still taken (more probes in flight than slots). Adding and removing allocate nothing — a Map
// keyed by ever-new numbers rebuilt its hash table every few probes, in the old generation, where the
// garbage waited for a full GC.

export class PendingAcks<T extends object> {
  #seqs = new Float64Array(16);
  #values: (T | undefined)[] = new Array<T | undefined>(16).fill(undefined);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(seq: number): T | undefined {
    const i = this.#slot(seq);
    return this.#values[i] !== undefined && this.#seqs[i] === seq ? this.#values[i] : undefined;
  }

  /** Adds or replaces the entry for `seq` (a uint32). */
  set(seq: number, value: T): void {
    let i = this.#slot(seq);
    if (this.#values[i] !== undefined && this.#seqs[i] !== seq) {
      this.#grow(seq);
      i = this.#slot(seq);
    }
    if (this.#values[i] === undefined) this.#size++;
    this.#seqs[i] = seq;
    this.#values[i] = value;
  }

  delete(seq: number): void {
    const i = this.#slot(seq);
    if (this.#values[i] === undefined || this.#seqs[i] !== seq) return;
    this.#values[i] = undefined;
    this.#size--;
  }

  clear(): void {
    this.#values.fill(undefined);
    this.#size = 0;
  }

  #slot(seq: number): number {
    return seq % this.#seqs.length;
  }

  /** Doubles the ring until every entry and `seq` have slots of their own. */
  #grow(seq: number): void {
    const seqs = this.#seqs;
    const values = this.#values;
    for (let n = seqs.length * 2; ; n *= 2) {
      const taken = new Set<number>([seq % n]);
      let fits = true;
      for (let i = 0; i < seqs.length && fits; i++) {
        if (values[i] === undefined) continue;
        const j = seqs[i]! % n;
        fits = !taken.has(j);
        taken.add(j);
      }
      if (!fits) continue;
      this.#seqs = new Float64Array(n);
      this.#values = new Array<T | undefined>(n).fill(undefined);
      for (let i = 0; i < seqs.length; i++) {
        if (values[i] === undefined) continue;
        this.#seqs[seqs[i]! % n] = seqs[i]!;
        this.#values[seqs[i]! % n] = values[i];
      }
      return;
    }
  }
}
