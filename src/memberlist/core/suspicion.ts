// Lifeguard's dynamic suspicion timeout (memberlist suspicion.go): starts at `max`, shrinks towards `min`
// as independent members confirm the suspicion: timeout = max(min, max − (max−min)·log(C+1)/log(K+1)).
import type { Clock, Timer } from '../../time/index.ts';

export function suspicionTimeout(minMs: number, maxMs: number, k: number, confirmations: number): number {
  if (k < 1) return minMs;
  const frac = Math.log(confirmations + 1) / Math.log(k + 1);
  return Math.max(minMs, Math.floor(maxMs - frac * (maxMs - minMs)));
}

export class Suspicion {
  readonly #clock: Clock;
  readonly #start: number;
  readonly #min: number;
  readonly #max: number;
  readonly #k: number;
  readonly #confirmers = new Set<string>();
  readonly #fire: () => void;
  #timer: Timer;

  /** `from` is the first accuser; its later messages are not confirmations. */
  constructor(clock: Clock, from: string, k: number, minMs: number, maxMs: number, fire: () => void) {
    this.#clock = clock;
    this.#start = clock.now();
    this.#min = minMs;
    this.#max = maxMs;
    this.#k = k;
    this.#fire = fire;
    this.#confirmers.add(from);
    this.#timer = clock.setTimer(suspicionTimeout(minMs, maxMs, k, 0), fire);
  }

  get confirmations(): number {
    return this.#confirmers.size - 1;
  }

  /** Records a confirmation; true if it was new (then worth re-broadcasting). */
  confirm(from: string): boolean {
    if (this.#confirmers.size - 1 >= this.#k || this.#confirmers.has(from)) return false;
    this.#confirmers.add(from);
    this.#timer.cancel();
    const remaining =
      suspicionTimeout(this.#min, this.#max, this.#k, this.#confirmers.size - 1) - (this.#clock.now() - this.#start);
    this.#timer = this.#clock.setTimer(Math.max(0, remaining), this.#fire);
    return true;
  }

  cancel(): void {
    this.#timer.cancel();
  }
}
