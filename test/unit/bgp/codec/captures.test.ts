// Known-good captures: every message in test/fixtures/bgp-corpus/*.bin (raw BGP messages captured from
// BIRD, FRR, GoBGP and ExaBGP by the interop lab) must decode without any error in a 4-octet AS session
// (all four daemons negotiate it), or, for files whose name contains "as2", a 2-octet one; and re-encode
// to a message that decodes to the same value. The corpus is committed: finding none is a failure.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../../src/bgp/codec/index.ts';
import { CORPUS_DIR, splitMessages } from '../fuzz/corpus.ts';
import { CTX2, CTX4 } from './fixtures.ts';

function captureFiles(): string[] {
  try {
    if (!statSync(CORPUS_DIR).isDirectory()) return [];
  } catch {
    return [];
  }
  return readdirSync(CORPUS_DIR)
    .filter((n) => n.endsWith('.bin'))
    .sort();
}

const files = captureFiles();

describe('captured messages from real daemons', () => {
  it('finds the committed captures', () => {
    expect(files.length, `captures in ${CORPUS_DIR}`).toBeGreaterThanOrEqual(30);
  });
  it.each(files)('%s decodes cleanly and round-trips', (file) => {
    const bytes = new Uint8Array(readFileSync(join(CORPUS_DIR, file)));
    const messages = splitMessages(file, bytes);
    expect(messages.length).toBeGreaterThan(0);
    const ctx = /as2/i.test(file) ? CTX2 : CTX4;
    for (const m of messages) {
      expect(m.name).not.toMatch(/raw/);
      const { value, bytesRead } = decodeMessage(m.bytes, 0, ctx);
      expect(bytesRead, m.name).toBe(m.bytes.length);
      if (value.type === 'UPDATE') expect(value.errors, m.name).toBeUndefined();
      const again = encodeMessage(value, ctx);
      expect(decodeMessage(again, 0, ctx).value, m.name).toEqual(value);
    }
  });
});
