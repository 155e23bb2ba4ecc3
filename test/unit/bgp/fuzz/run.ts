// The fuzz loop: every input either decodes (and then re-encodes without throwing) or throws a BgpError.
// Anything else is a failure, recorded with the input's hex for reproduction.
import { BgpError } from '../../../../src/bgp/errors.ts';
import { decodeMessage, encodeMessage } from '../../../../src/bgp/codec/message.ts';
import type { CodecContext } from '../../../../src/bgp/codec/model.ts';
import type { Seed } from './corpus.ts';
import { attributePool, mutate } from './mutate.ts';
import { Prng } from './prng.ts';

const CTX = [{ fourOctetAs: false }, { fourOctetAs: true }] as const satisfies readonly CodecContext[];

export interface FuzzStats {
  inputs: number;
  decoded: number;
  treatAsWithdraw: number;
  attributeDiscard: number;
  /** Thrown BgpErrors by "code/subcode". */
  thrown: Record<string, number>;
  /** Clean decodes whose re-encoding decoded and re-encoded to the same octets. */
  stable: number;
  failures: { input: string; error: string }[];
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface CodecUnderTest {
  decodeMessage: typeof decodeMessage;
  encodeMessage: typeof encodeMessage;
}

export function runFuzz(
  seeds: readonly Seed[],
  count: number,
  seed: number,
  codec: CodecUnderTest = { decodeMessage, encodeMessage },
): FuzzStats {
  const rng = new Prng(seed);
  const pool = attributePool(seeds.map((s) => s.bytes));
  const stats: FuzzStats = {
    inputs: 0,
    decoded: 0,
    treatAsWithdraw: 0,
    attributeDiscard: 0,
    thrown: {},
    stable: 0,
    failures: [],
  };

  const fail = (input: Uint8Array, e: unknown): void => {
    if (stats.failures.length < 20) {
      stats.failures.push({
        input: hex(input),
        error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e),
      });
    }
  };

  // Inputs that decoded are kept (up to EVOLVED_MAX) and mutated further: chains of mutations reach
  // states no single mutation of a seed does.
  const EVOLVED_MAX = 256;
  const evolved: Seed[] = [];

  const one = (input: Uint8Array, ctx: CodecContext): boolean => {
    stats.inputs++;
    let value;
    try {
      value = codec.decodeMessage(input, 0, ctx).value;
    } catch (e) {
      if (e instanceof BgpError) {
        const k = `${e.code}/${e.subcode}`;
        stats.thrown[k] = (stats.thrown[k] ?? 0) + 1;
      } else {
        fail(input, e);
      }
      return false;
    }
    stats.decoded++;
    try {
      const again = codec.encodeMessage(value, ctx);
      // Nothing the decoder accepts grows when written back (so it always fits 4096 again).
      if (again.length > input.length)
        throw new Error(`re-encoding grew from ${input.length} to ${again.length} octets: ${hex(again)}`);
      if (value.type === 'UPDATE') {
        if (value.treatAsWithdraw) stats.treatAsWithdraw++;
        if (value.discarded) stats.attributeDiscard++;
      }
      const clean = value.type !== 'UPDATE' || value.errors === undefined;
      if (clean) {
        // A clean decode re-encodes to a canonical form that is stable under another round.
        const third = codec.encodeMessage(codec.decodeMessage(again, 0, ctx).value, ctx);
        if (!sameBytes(again, third)) throw new Error(`re-encoding is not stable: ${hex(again)} → ${hex(third)}`);
        stats.stable++;
      }
    } catch (e) {
      fail(input, e);
    }
    return true;
  };

  // Every seed as is, in both contexts.
  for (const s of seeds) for (const ctx of CTX) if (stats.inputs < count) one(s.bytes, ctx);
  // Large seeds (full-size UPDATEs) cost far more per input: pick them for 3% of the inputs.
  const small = seeds.filter((s) => s.bytes.length <= 1024);
  const large = seeds.filter((s) => s.bytes.length > 1024);
  while (stats.inputs < count) {
    const from =
      evolved.length > 0 && rng.chance(0.3)
        ? evolved
        : large.length > 0 && (small.length === 0 || rng.chance(0.03))
          ? large
          : small;
    const s = from[rng.int(from.length)] as Seed;
    const input = mutate(s.bytes, rng, pool);
    const ctx = s.ctx && rng.chance(0.8) ? s.ctx : (CTX[rng.int(2)] as CodecContext);
    if (one(input, ctx) && input.length <= 1024 && rng.chance(0.1)) {
      const kept: Seed = { name: `evolved from ${s.name}`, bytes: input, ctx };
      if (evolved.length < EVOLVED_MAX) evolved.push(kept);
      else evolved[rng.int(EVOLVED_MAX)] = kept;
    }
  }
  return stats;
}
