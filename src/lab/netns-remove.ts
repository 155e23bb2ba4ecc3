// Removing a lab's network namespace for good, synchronously (usable from a process 'exit' hook): every
// process still inside it is killed first (daemons that forked), then the namespace is deleted. Quiet
// when it is already gone.
import { execFileSync } from 'node:child_process';

export function removeNamespaceSync(ns: string): void {
  try {
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean);
    for (const p of pids) {
      try {
        process.kill(Number(p), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  } catch {
    // namespace already gone
  }
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}
