// Fuzz test of the BGP codec: seed corpus (round-trip fixtures + captured *.bin) and structure-aware
// mutations, FERROLB_FUZZ_INPUTS inputs (default 1,000,000) from a fixed seed (FERROLB_FUZZ_SEED).
// Every input must either decode (and re-encode without throwing) or throw a typed BgpError.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../src/bgp/codec/message.ts';
import { MESSAGES } from './codec/fixtures.ts';
import { loadCorpus, splitMessages } from './fuzz/corpus.ts';
import { MUTATOR_NAMES, MUTATORS } from './fuzz/mutate.ts';
import { Prng } from './fuzz/prng.ts';
import { runFuzz } from './fuzz/run.ts';

function envInt(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name}="${text}" is not a positive integer`);
  return n;
}

const INPUTS = envInt('FERROLB_FUZZ_INPUTS', 1_000_000);
const SEED = envInt('FERROLB_FUZZ_SEED', 0x0b9f0_2026);

describe('BGP codec fuzz', () => {
  it('loads the seed corpus: every fixture message, plus every captured *.bin', () => {
    const c = loadCorpus();
    expect(c.builtin).toBeGreaterThanOrEqual(MESSAGES.length);
    expect(c.seeds.length).toBe(c.builtin + c.fromFiles);
    expect(c.fromFiles).toBeGreaterThanOrEqual(c.files);
    console.log(
      `fuzz corpus: ${c.builtin} built-in seeds (fixture messages + full-size packed UPDATEs) + ${c.fromFiles} messages from ${c.files} capture files`,
    );
  });

  it('splits captures into messages and keeps a trailing non-framing part raw', () => {
    const k = 'ffffffffffffffffffffffffffffffff001304';
    const parts = splitMessages('x.bin', Buffer.from(`${k}${k}0102`, 'hex'));
    expect(parts.map((p) => p.bytes.length)).toEqual([19, 19, 2]);
  });

  it('reads capture files and refuses an empty one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferrolb-corpus-'));
    try {
      writeFileSync(join(dir, 'a.bin'), Buffer.from('ffffffffffffffffffffffffffffffff001304', 'hex'));
      const c = loadCorpus(dir);
      expect([c.files, c.fromFiles]).toEqual([1, 1]);
      writeFileSync(join(dir, 'b.bin'), Buffer.alloc(0));
      expect(() => loadCorpus(dir)).toThrow(/empty/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is deterministic and every mutator changes its input', () => {
    const a = new Prng(7);
    const b = new Prng(7);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    const seeds = loadCorpus().seeds.map((s) => s.bytes);
    const update = seeds.find((s) => s[18] === 2 && s.length > 60) as Uint8Array;
    const rng = new Prng(1);
    for (const name of MUTATOR_NAMES) {
      let changed = false;
      for (let i = 0; i < 20 && !changed; i++) {
        const out = MUTATORS[name]!(update, rng, seeds);
        changed = Buffer.compare(Buffer.from(out), Buffer.from(update)) !== 0;
      }
      expect(changed, name).toBe(true);
    }
  });

  it('catches a codec that throws something other than BgpError', () => {
    const c = loadCorpus();
    const stats = runFuzz(c.seeds, 2000, 1, {
      decodeMessage: (buf, off, ctx) => {
        if (buf[18] === 2 && buf.length % 7 === 0) throw new TypeError('boom');
        return decodeMessage(buf, off, ctx);
      },
      encodeMessage,
    });
    expect(stats.failures.length).toBeGreaterThan(0);
    expect(stats.failures[0]?.error).toMatch(/TypeError: boom/);
  });

  it(`${INPUTS} inputs: each decodes and re-encodes, or throws a BgpError`, { timeout: 600_000 }, () => {
    // This file's worker is CPU-bound for tens of seconds: lower its priority so that test files running
    // beside it on the same cores (sessions with real timers) are not starved. No effect on idle cores.
    try {
      setPriority(19);
    } catch {
      // not permitted: run at normal priority
    }
    const c = loadCorpus();
    const t0 = performance.now();
    const stats = runFuzz(c.seeds, INPUTS, SEED);
    const secs = (performance.now() - t0) / 1000;
    console.log(
      `fuzz: ${stats.inputs} inputs in ${secs.toFixed(1)} s (${Math.round(stats.inputs / secs)}/s); ` +
        `decoded ${stats.decoded} (treat-as-withdraw ${stats.treatAsWithdraw}, attribute-discard ${stats.attributeDiscard}, ` +
        `stable re-encodings ${stats.stable}); thrown BgpError by code/subcode ${JSON.stringify(stats.thrown)}`,
    );
    expect(stats.failures, stats.failures.map((f) => `${f.input}\n${f.error}`).join('\n\n')).toEqual([]);
    expect(stats.inputs).toBe(INPUTS);
    // The mutations reach the deep decoders, not only the header check.
    expect(stats.decoded).toBeGreaterThan(INPUTS / 10);
    expect(stats.treatAsWithdraw).toBeGreaterThan(0);
    expect(stats.attributeDiscard).toBeGreaterThan(0);
    expect(Object.keys(stats.thrown).filter((k) => k.startsWith('3/')).length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(stats.thrown).filter((k) => k.startsWith('2/')).length).toBeGreaterThanOrEqual(3);
  });
});
