// The recent counters of one sender instance, for the security layer's replay protection: a sliding
// window of SIZE counters kept as a bitmap ring (the scheme of RFC 6479 and of IPsec's anti-replay
// window). A counter is accepted once; one at or below `max - SIZE` is refused as too old, since the
// window no longer says whether it was seen. Memory is fixed (SIZE bits) and accepting a counter
// allocates nothing: a Set of recent counters grew to twice the window and rebuilt its hash table every
// few thousand packets, garbage that the speaker's idle heap carried until its next full GC.

export class ReplayWindow {
  /** How many counters below the highest seen are still told apart. A multiple of 32. */
  static readonly SIZE = 4096;
  readonly #bits = new Uint32Array(ReplayWindow.SIZE / 32);
  /** The highest counter accepted, or -1 before the first. */
  #max = -1;

  get max(): number {
    return this.#max;
  }

  /** True the first time `c` (a non-negative integer) is seen within the window; false for a repeat or one too old. */
  accept(c: number): boolean {
    const size = ReplayWindow.SIZE;
    if (c > this.#max) {
      if (c - this.#max >= size) this.#bits.fill(0);
      else for (let i = this.#max + 1; i < c; i++) this.#clear(i);
      this.#max = c;
      this.#set(c);
      return true;
    }
    if (c <= this.#max - size) return false;
    if (this.#has(c)) return false;
    this.#set(c);
    return true;
  }

  #has(c: number): boolean {
    return ((this.#bits[(c % ReplayWindow.SIZE) >>> 5]! >>> (c & 31)) & 1) === 1;
  }

  #set(c: number): void {
    this.#bits[(c % ReplayWindow.SIZE) >>> 5]! |= 1 << (c & 31);
  }

  #clear(c: number): void {
    this.#bits[(c % ReplayWindow.SIZE) >>> 5]! &= ~(1 << (c & 31));
  }
}
