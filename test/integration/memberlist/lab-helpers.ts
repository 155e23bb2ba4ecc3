// Shared by the membership integration tests: key files, the ferrolb command, polling on event lines.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LabNode, MembershipLab, NodeCommand } from '../../../src/lab/membership-netns.ts';
import { ferrolbCommand } from '../../../src/lab/membership-netns.ts';

export function keyFile(dir = mkdtempSync(join(tmpdir(), 'flm-keys-'))): string {
  const f = join(dir, `key-${randomBytes(4).toString('hex')}`);
  writeFileSync(f, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  return f;
}

export function ferrolb(key: string): NodeCommand {
  return ferrolbCommand(process.execPath, resolve(import.meta.dirname, '../../../bin/ferrolb.ts'), key);
}

/** What `observer` currently believes about `name` (its last event line), or undefined. */
export function stateSeen(observer: LabNode, name: string): string | undefined {
  for (let i = observer.lines.length - 1; i >= 0; i--) {
    const l = observer.lines[i];
    if (l?.node === name) return l.state;
  }
  return undefined;
}

export async function waitUntil(pred: () => boolean, what: string, lab: MembershipLab, ms = 60_000): Promise<number> {
  const start = Date.now();
  while (!pred()) {
    if (Date.now() - start > ms) {
      const dump = lab.nodes
        .map(
          (n) =>
            `${n.name}: ${n.lines
              .slice(-8)
              .map((l) => `${l.kind} ${l.node} ${l.state}`)
              .join('; ')} | stderr: ${n.stderr.slice(-300)}`,
        )
        .join('\n');
      throw new Error(`timed out after ${ms} ms waiting for ${what}\n${dump}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}

export function allSee(observers: LabNode[], names: string[], state: string): boolean {
  return observers.every((o) => names.every((n) => n === o.name || stateSeen(o, n) === state));
}
