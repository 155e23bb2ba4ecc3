// Loads test/fixtures/l2/*.hex (written by scripts/capture-l2-fixtures.ts) and fails when the folder holds
// fewer frames than the capture script writes: a loader that finds nothing must not pass.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex } from '../../../src/wire/index.ts';

export const FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/l2/', import.meta.url));
export const EXPECTED_FIXTURES = 12;

export interface CapturedFrame {
  name: string;
  what: string;
  bytes: Uint8Array;
}

export function loadCapturedFrames(): Map<string, CapturedFrame> {
  const files = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.hex'));
  if (files.length < EXPECTED_FIXTURES) {
    throw new Error(
      `found ${files.length} captured frames in ${FIXTURE_DIR}, expected ${EXPECTED_FIXTURES}: run scripts/capture-l2-fixtures.ts`,
    );
  }
  const out = new Map<string, CapturedFrame>();
  for (const f of files) {
    const [first, hex] = readFileSync(FIXTURE_DIR + f, 'utf8').split('\n');
    out.set(f.slice(0, -4), {
      name: f.slice(0, -4),
      what: (first ?? '').replace(/^# /, ''),
      bytes: fromHex(hex ?? ''),
    });
  }
  return out;
}
