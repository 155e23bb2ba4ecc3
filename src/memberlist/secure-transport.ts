// Authenticated encryption of every datagram and stream message (AES-256-GCM, node:crypto), as a
// Transport that wraps another one. Sealed format:
//
//   0      version (1)
//   1..8   sender instance (random per process)         ┐
//   9..12  counter (per instance, never repeats)         ├ the 12-octet GCM nonce
//   13..20 sender wall clock, ms                         ┘ (header: authenticated, not encrypted)
//   21..   ciphertext, then the 16-octet tag
//
// Additional authenticated data: the header and the cluster label, so two clusters on one LAN (different
// labels) never accept each other's packets even with the same key. Replay protection: a packet older or
// newer than `replayWindowMs` by the receiver's clock is refused, and per sender instance a window of
// recent counters refuses duplicates. Plaintext (version 0) only if `allowPlaintext`. Whatever is refused
// is counted by reason through onDrop and never reaches the protocol.
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../time/index.ts';
import type { Address } from './codec/index.ts';
import type { Transport, TransportHandlers } from './core/index.ts';
import type { Keyring } from './keyring.ts';
import { ReplayWindow } from './replay-window.ts';

export const SEALED_VERSION = 1;
export const PLAINTEXT_VERSION = 0;
const HEADER = 21;
const TAG = 16;
export const SEAL_OVERHEAD = HEADER + TAG;

export type SecurityDropReason =
  'empty' | 'unknown-format' | 'plaintext-refused' | 'truncated' | 'auth-failed' | 'stale' | 'replayed' | 'no-key';

export interface SecureOptions {
  keyring: Keyring | undefined;
  label: string;
  allowPlaintext: boolean;
  clock: Clock;
  replayWindowMs?: number;
  onDrop: (reason: SecurityDropReason, from: Address, kind: 'packet' | 'stream') => void;
}

// Key objects made once per key (createCipheriv with raw bytes imports the key every call).
const keyObjects = new WeakMap<Uint8Array, KeyObject>();
function keyObject(k: Uint8Array): KeyObject {
  let o = keyObjects.get(k);
  if (!o) {
    o = createSecretKey(k);
    keyObjects.set(k, o);
  }
  return o;
}

export class SecureTransport implements Transport {
  readonly #inner: Transport;
  readonly #opts: SecureOptions;
  readonly #label: Buffer;
  readonly #windowMs: number;
  #instance = randomBytes(8);
  #counter = 0;
  /** Per sender instance its window, and when it was last heard (the count of authentic packets so far). */
  readonly #windows = new Map<string, { readonly window: ReplayWindow; lastSeen: number }>();
  #heard = 0;
  static readonly MAX_SENDERS = 4096;

  constructor(inner: Transport, opts: SecureOptions) {
    this.#inner = inner;
    this.#opts = opts;
    this.#label = Buffer.from(opts.label, 'utf8');
    this.#windowMs = opts.replayWindowMs ?? 30_000;
    if (!opts.keyring?.primary && !opts.allowPlaintext)
      throw new Error(
        'memberlist security: no key and plaintext not allowed (give a key file, or allow plaintext explicitly)',
      );
  }

  /** Seals `data` with the primary key (or passes it in plaintext when there is no key and that is allowed). */
  seal(data: Uint8Array): Uint8Array {
    const key = this.#opts.keyring?.primary;
    if (!key) {
      const out = new Uint8Array(1 + data.length);
      out[0] = PLAINTEXT_VERSION;
      out.set(data, 1);
      return out;
    }
    if (this.#counter >= 0xffffffff) {
      this.#instance = randomBytes(8);
      this.#counter = 0;
    }
    const header = Buffer.alloc(HEADER);
    header[0] = SEALED_VERSION;
    this.#instance.copy(header, 1);
    header.writeUInt32BE(this.#counter++, 9);
    header.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.#opts.clock.wallNow()))), 13);
    const cipher = createCipheriv('aes-256-gcm', keyObject(key), header.subarray(1, 13));
    cipher.setAAD(Buffer.concat([header, this.#label]));
    const body = cipher.update(data);
    cipher.final();
    return Buffer.concat([header, body, cipher.getAuthTag()]);
  }

  /** Opens a sealed message, or returns why it was refused. */
  open(buf: Uint8Array): Uint8Array | SecurityDropReason {
    if (buf.length === 0) return 'empty';
    const v = buf[0];
    if (v === PLAINTEXT_VERSION) return this.#opts.allowPlaintext ? buf.subarray(1) : 'plaintext-refused';
    if (v !== SEALED_VERSION) return 'unknown-format';
    if (buf.length < SEAL_OVERHEAD) return 'truncated';
    const keys = this.#opts.keyring?.all ?? [];
    if (keys.length === 0) return 'no-key';
    const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    const header = b.subarray(0, HEADER);
    const aad = Buffer.concat([header, this.#label]);
    const body = b.subarray(HEADER, b.length - TAG);
    const tag = b.subarray(b.length - TAG);
    let plain: Buffer | undefined;
    for (const key of keys) {
      try {
        const d = createDecipheriv('aes-256-gcm', keyObject(key), header.subarray(1, 13));
        d.setAAD(aad);
        d.setAuthTag(tag);
        const out = d.update(body);
        d.final();
        plain = out;
        break;
      } catch {
        // try the next key
      }
    }
    if (!plain) return 'auth-failed';
    const sent = Number(header.readBigUInt64BE(13));
    if (Math.abs(this.#opts.clock.wallNow() - sent) > this.#windowMs) return 'stale';
    if (!this.#windowOf(header.subarray(1, 9).toString('hex')).accept(header.readUInt32BE(9))) return 'replayed';
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
  }

  /**
   * The replay window of a sender instance. Past MAX_SENDERS instances, the one heard from least recently
   * is forgotten (a scan, only when a new instance arrives at the cap: the common path looks up and stamps
   * with a packet count, reads no clock and allocates nothing).
   */
  #windowOf(instance: string): ReplayWindow {
    const stamp = ++this.#heard;
    const known = this.#windows.get(instance);
    if (known) {
      known.lastSeen = stamp;
      return known.window;
    }
    if (this.#windows.size >= SecureTransport.MAX_SENDERS) {
      let oldest: string | undefined;
      let at = Infinity;
      for (const [k, w] of this.#windows) if (w.lastSeen < at) [oldest, at] = [k, w.lastSeen];
      if (oldest !== undefined) this.#windows.delete(oldest);
    }
    const w = { window: new ReplayWindow(), lastSeen: stamp };
    this.#windows.set(instance, w);
    return w.window;
  }

  setHandlers(h: TransportHandlers): void {
    this.#inner.setHandlers({
      onPacket: (data, from) => {
        const plain = this.open(data);
        if (typeof plain === 'string') this.#opts.onDrop(plain, from, 'packet');
        else h.onPacket(plain, from);
      },
      onStream: (data, from) => {
        const plain = this.open(data);
        if (typeof plain === 'string') {
          this.#opts.onDrop(plain, from, 'stream');
          return undefined;
        }
        const reply = h.onStream(plain, from);
        return reply && this.seal(reply);
      },
    });
  }

  sendPacket(to: Address, data: Uint8Array): void {
    this.#inner.sendPacket(to, this.seal(data));
  }

  exchange(
    to: Address,
    data: Uint8Array,
    timeoutMs: number,
    done: (err: Error | undefined, reply?: Uint8Array) => void,
  ): void {
    this.#inner.exchange(to, this.seal(data), timeoutMs, (err, reply) => {
      if (err || !reply) {
        done(err ?? new Error('no reply'));
        return;
      }
      const plain = this.open(reply);
      if (typeof plain === 'string') {
        this.#opts.onDrop(plain, to, 'stream');
        done(new Error(`reply refused: ${plain}`));
        return;
      }
      done(undefined, plain);
    });
  }
}
