// Timers that end together: a component that keeps many short timers (SWIM's probe rounds, deadlines and
// gossip repeats) cancels every pending one when it stops. The pending timers are an intrusive doubly
// linked list, not a Set: a timer joins and leaves the group without touching a hash table. A long-lived
// Set that gains and loses members rebuilds its table every few changes, and V8 allocates the table of
// an old-generation Set in the old generation: garbage that waits for a full GC (see the speaker's
// memory section in the README).
import type { Clock, Timer, TimerOptions } from './clock.ts';

class GroupTimer implements Timer {
  prev: GroupTimer | undefined;
  next: GroupTimer | undefined;
  inner: Timer | undefined;
  linked = true;
  readonly group: TimerGroup;
  constructor(group: TimerGroup) {
    this.group = group;
  }

  cancel(): void {
    this.inner?.cancel();
    this.group.unlink(this);
  }
}

export class TimerGroup {
  readonly #clock: Clock;
  #head: GroupTimer | undefined;
  #size = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** How many timers are pending. */
  get size(): number {
    return this.#size;
  }

  /** Runs `fn` once after `ms` (as Clock.setTimer), unless it or the whole group is cancelled first. */
  set(ms: number, fn: () => void, opts?: TimerOptions): Timer {
    const t = new GroupTimer(this);
    t.next = this.#head;
    if (this.#head) this.#head.prev = t;
    this.#head = t;
    this.#size++;
    t.inner = this.#clock.setTimer(
      ms,
      () => {
        this.unlink(t);
        fn();
      },
      opts,
    );
    return t;
  }

  /** Cancels every pending timer of the group. */
  cancelAll(): void {
    while (this.#head) this.#head.cancel();
  }

  /** Takes `t` out of the list; nothing if it has already left (fired or cancelled). @internal */
  unlink(t: GroupTimer): void {
    if (!t.linked) return;
    t.linked = false;
    if (t.prev) t.prev.next = t.next;
    else this.#head = t.next;
    if (t.next) t.next.prev = t.prev;
    t.prev = t.next = t.inner = undefined;
    this.#size--;
  }
}
