// releaseExecutablePages on a real node process: the clean pages of node's read-only mappings leave its
// page tables (its RssFile drops by about what it reported), the copy-on-write pages of the executable
// (RELRO, .data) are kept, and the process goes on running JavaScript, compiling and collecting.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ADDON_PATH } from '../../../src/native/index.ts';

interface ExeMapping {
  perms: string;
  rssKiB: number;
  anonKiB: number;
}
interface Report {
  before: ExeMapping[];
  released: { mappings: number; bytes: number };
  after: ExeMapping[];
  later: ExeMapping[];
  sum: number;
}

// Runs in the child: its own mappings of node's executable, as /proc/self/smaps lists them.
const CHILD = `
const fs = require('node:fs');
const exe = fs.readlinkSync('/proc/self/exe');
function exeMappings() {
  const out = [];
  let cur;
  for (const line of fs.readFileSync('/proc/self/smaps', 'latin1').split('\\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ (\\S+) \\S+ \\S+ \\S+\\s*(.*)$/.exec(line);
    if (head) { cur = head[2] === exe ? { perms: head[1], rssKiB: 0, anonKiB: 0 } : undefined; if (cur) out.push(cur); continue; }
    const f = /^(Rss|Anonymous):\\s+(\\d+) kB/.exec(line);
    if (cur && f) cur[f[1] === 'Rss' ? 'rssKiB' : 'anonKiB'] = Number(f[2]);
  }
  return out;
}
const m = { exports: {} };
process.dlopen(m, process.argv[1]);
const before = exeMappings();
const released = m.exports.releaseExecutablePages();
const after = exeMappings();
let sum = 0;
for (let i = 0; i < 20000; i++) sum += JSON.parse(JSON.stringify({ i, s: 'x'.repeat(i % 50) })).i % 7;
sum += new Function('a', 'return a * 2')(21) + [...'speaker'.matchAll(/e/gu)].length;
globalThis.gc();
const later = exeMappings();
process.stdout.write(JSON.stringify({ before, released, after, later, sum }));
`;

const total = (ms: ExeMapping[], pick: (m: ExeMapping) => boolean, f: 'rssKiB' | 'anonKiB' = 'rssKiB') =>
  ms.filter(pick).reduce((s, m) => s + m[f], 0);
const readOnlyClean = (m: ExeMapping) => m.perms[1] === '-' && m.anonKiB === 0;
const copied = (m: ExeMapping) => !readOnlyClean(m);

describe('releaseExecutablePages', () => {
  it('drops the clean pages of node’s executable and keeps its copy-on-write pages', () => {
    const run = spawnSync(process.execPath, ['--expose-gc', '-e', CHILD, ADDON_PATH], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const r = JSON.parse(run.stdout) as Report;
    // JSON and the function agree with a plain computation: the released code ran again correctly.
    let want = 0;
    for (let i = 0; i < 20000; i++) want += i % 7;
    expect(r.sum).toBe(want + 42 + 2);

    const cleanBefore = total(r.before, readOnlyClean);
    expect(cleanBefore).toBeGreaterThan(4 * 1024); // a started node has touched megabytes of its binary
    expect(r.released.mappings).toBeGreaterThanOrEqual(1);
    expect(r.released.bytes / 1024).toBeGreaterThan(cleanBefore * 0.9);
    // Reading smaps again maps a few pages back; most stay released until something runs them.
    expect(total(r.after, readOnlyClean)).toBeLessThan(cleanBefore / 2);
    // The copy-on-write pages (relocations, .data) are the process's only copies: all kept.
    expect(total(r.before, copied, 'anonKiB')).toBeGreaterThan(0);
    expect(total(r.after, copied, 'anonKiB')).toBe(total(r.before, copied, 'anonKiB'));
    expect(total(r.later, copied, 'anonKiB')).toBeGreaterThanOrEqual(total(r.before, copied, 'anonKiB'));
  });
});
