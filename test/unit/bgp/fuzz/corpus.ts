// The fuzz seed corpus: every message the round-trip fixtures encode, plus every raw BGP message found in
// test/fixtures/bgp-corpus/*.bin (captures from real daemons; a file may hold several messages back to
// back). The loader reports what it loaded and never silently loads nothing.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { frameLength } from '../../../../src/bgp/codec/header.ts';
import type { CodecContext } from '../../../../src/bgp/codec/model.ts';
import { encodedMessages, MESSAGES } from '../codec/fixtures.ts';

export interface Seed {
  name: string;
  bytes: Uint8Array;
  /** The context the seed was made for; undefined: try both. */
  ctx?: CodecContext;
}

export const CORPUS_DIR = new URL('../../../fixtures/bgp-corpus/', import.meta.url).pathname;

/** Splits a capture into messages using the header length; a part that does not frame stays whole. */
export function splitMessages(name: string, bytes: Uint8Array): Seed[] {
  const out: Seed[] = [];
  let p = 0;
  while (p < bytes.length) {
    let len: number | undefined;
    try {
      len = frameLength(bytes, p);
    } catch {
      len = undefined;
    }
    if (len === undefined || p + len > bytes.length) {
      out.push({ name: `${name}@${p}(raw)`, bytes: bytes.slice(p) });
      break;
    }
    out.push({ name: `${name}@${p}`, bytes: bytes.slice(p, p + len) });
    p += len;
  }
  return out;
}

export interface Corpus {
  seeds: Seed[];
  builtin: number;
  files: number;
  fromFiles: number;
}

export function loadCorpus(dir = CORPUS_DIR): Corpus {
  const builtin = encodedMessages().map((m) => ({ name: `fixture ${m.name}`, bytes: m.bytes, ctx: m.ctx }));
  if (builtin.length < MESSAGES.length || builtin.length === 0) {
    throw new Error(`fuzz corpus: only ${builtin.length} of ${MESSAGES.length} fixture messages encoded`);
  }
  const seeds: Seed[] = [...builtin];
  let files = 0;
  let exists = false;
  try {
    exists = statSync(dir).isDirectory();
  } catch {
    exists = false;
  }
  if (exists) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.bin')).sort()) {
      const bytes = new Uint8Array(readFileSync(join(dir, f)));
      if (bytes.length === 0) throw new Error(`fuzz corpus: ${join(dir, f)} is empty`);
      const parts = splitMessages(f, bytes);
      if (parts.length === 0) throw new Error(`fuzz corpus: no message in ${join(dir, f)}`);
      seeds.push(...parts);
      files++;
    }
  }
  return { seeds, builtin: builtin.length, files, fromFiles: seeds.length - builtin.length };
}
