// The memberlist key from the memberlist Secret, rotated without a gossip outage. Speakers see a new
// Secret at slightly different times, so a new key is first only accepted (secondary) everywhere, then
// used to encrypt (primary) once every speaker has had time to accept it, and the old key keeps being
// accepted for a while after that (memberlist's install / use / remove keyring steps, run by a clock).
import { createHash } from 'node:crypto';
import type { Clock, Timer } from '../time/index.ts';
import type { Keyring } from './ports.ts';

/** The memberlist Secret's data key (MetalLB's name). */
export const MEMBERLIST_SECRET_KEY = 'secretkey';

export interface RotationTimes {
  /** How long a new key is only accepted before it becomes the primary. */
  acceptMs: number;
  /** How long the old key is still accepted after the new one became primary. */
  retireMs: number;
}

export const DEFAULT_ROTATION: RotationTimes = {
  acceptMs: 10_000, // every speaker watches the Secret; a watch event reaches all of them well within this
  retireMs: 60_000, // packets in flight and speakers whose watch was reconnecting still get through
};

/** The AES-256 key of a Secret value: sha256 of its bytes, as MetalLB derives it (node:crypto: hashing). */
export function keyOfSecret(value: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(value).digest());
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export type RotationStep = 'initial' | 'accept-new' | 'use-new' | 'retire-old' | 'unchanged';

export class KeyringRotation {
  readonly #clock: Clock;
  readonly #apply: (k: Keyring, step: RotationStep) => void;
  readonly #times: RotationTimes;
  #primary: Uint8Array | undefined;
  #secondary: Uint8Array[] = [];
  /** The new key while it is only accepted (before it becomes primary). */
  #pending: Uint8Array | undefined;
  #timer: Timer | undefined;

  constructor(clock: Clock, apply: (k: Keyring, step: RotationStep) => void, times: RotationTimes = DEFAULT_ROTATION) {
    this.#clock = clock;
    this.#apply = apply;
    this.#times = times;
  }

  get keyring(): Keyring | undefined {
    return this.#primary ? { primary: this.#primary, secondary: [...this.#secondary] } : undefined;
  }

  /** The Secret's current key; returns the step taken. */
  setKey(key: Uint8Array): RotationStep {
    if (this.#primary === undefined) {
      this.#primary = key;
      return this.#push('initial');
    }
    if (this.#pending ? same(this.#pending, key) : same(this.#primary, key)) return 'unchanged';
    this.#timer?.cancel();
    if (same(this.#primary, key)) {
      // Rotated back before the new key was used: stop accepting it.
      this.#secondary = this.#secondary.filter((k) => !same(k, this.#pending as Uint8Array));
      this.#pending = undefined;
      return this.#push('retire-old');
    }
    this.#pending = key;
    this.#secondary = [key, ...this.#secondary.filter((k) => !same(k, key))];
    this.#timer = this.#clock.setTimer(this.#times.acceptMs, () => this.#useNew(), { unref: true });
    return this.#push('accept-new');
  }

  #useNew(): void {
    const key = this.#pending as Uint8Array;
    const old = this.#primary as Uint8Array;
    this.#pending = undefined;
    this.#primary = key;
    this.#secondary = [old, ...this.#secondary.filter((k) => !same(k, key) && !same(k, old))];
    this.#push('use-new');
    this.#timer = this.#clock.setTimer(
      this.#times.retireMs,
      () => {
        this.#timer = undefined;
        this.#secondary = [];
        this.#push('retire-old');
      },
      { unref: true },
    );
  }

  #push(step: RotationStep): RotationStep {
    this.#apply({ primary: this.#primary as Uint8Array, secondary: [...this.#secondary] }, step);
    return step;
  }

  stop(): void {
    this.#timer?.cancel();
  }
}
