// The fuzz seed corpus: every message the round-trip fixtures encode, plus every raw BGP message found in
// test/fixtures/bgp-corpus/*.bin (captures from real daemons; a file may hold several messages back to
// back). The loader reports what it loaded and never silently loads nothing.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { frameLength } from '../../../../src/bgp/codec/header.ts';
import type { CodecContext } from '../../../../src/bgp/codec/model.ts';
import { packUpdates } from '../../../../src/bgp/codec/pack.ts';
import type { PathAttribute, WireRoute } from '../../../../src/bgp/codec/model.ts';
import { CTX2, CTX4, encodedMessages, ip, MESSAGES } from '../codec/fixtures.ts';

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

/** Full-size UPDATEs from packUpdates (4096 octets): IPv4 to a 2-octet peer (AS4_PATH), IPv6 to a 4-octet one. */
export function packedSeeds(): Seed[] {
  const attributes: PathAttribute[] = [
    { type: 'ORIGIN', origin: 'IGP' },
    { type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [64500, 4200000000] }] },
    { type: 'LOCAL_PREF', localPref: 100 },
    { type: 'COMMUNITIES', communities: [0xffffff01] },
    { type: 'LARGE_COMMUNITIES', communities: [{ globalAdmin: 64500, localData1: 1, localData2: 2 }] },
  ];
  const v4: WireRoute[] = Array.from({ length: 790 }, (_, i) => ({
    prefix: { family: 'ipv4', prefix: ip('198.51.100.0') + BigInt(i), length: 32 },
    nextHop: ip('192.0.2.1'),
    attributes,
  }));
  const v6: WireRoute[] = Array.from({ length: 230 }, (_, i) => ({
    prefix: { family: 'ipv6', prefix: ip('2001:db8::') + BigInt(i), length: 128 },
    nextHop: ip('2001:db8::1'),
    linkLocalNextHop: ip('fe80::1'),
    attributes,
  }));
  const [a] = packUpdates(v4, [], CTX2);
  const [b] = packUpdates(v6, [], CTX4);
  if (!a || !b || a.length < 3900 || b.length < 3900) throw new Error('fuzz corpus: packed seeds are not full-size');
  return [
    { name: 'packed IPv4 UPDATE (2-octet AS)', bytes: a, ctx: CTX2 },
    { name: 'packed IPv6 UPDATE', bytes: b, ctx: CTX4 },
  ];
}

export interface Corpus {
  seeds: Seed[];
  builtin: number;
  files: number;
  fromFiles: number;
}

export function loadCorpus(dir = CORPUS_DIR): Corpus {
  const builtin: Seed[] = [
    ...encodedMessages().map((m) => ({ name: `fixture ${m.name}`, bytes: m.bytes, ctx: m.ctx })),
    ...packedSeeds(),
  ];
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
    for (const f of readdirSync(dir)
      .filter((n) => n.endsWith('.bin'))
      .sort()) {
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
