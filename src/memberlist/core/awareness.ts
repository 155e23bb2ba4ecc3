// Lifeguard's local health awareness (memberlist awareness.go): a score in [0, max); a member that misses
// acks or nacks it should have had raises it and multiplies its probe interval and timeouts by score+1.
export class Awareness {
  #score = 0;
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  apply(delta: number): void {
    this.#score = Math.min(this.#max - 1, Math.max(0, this.#score + delta));
  }

  get score(): number {
    return this.#score;
  }

  scale(ms: number): number {
    return ms * (this.#score + 1);
  }
}
