// Makes sure the BGP daemons are installed before a test uses them, by running the project's
// idempotent install script (fast when everything is present; installs from Debian on a fresh machine).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

let done = false;

export function ensureDaemons(): void {
  if (done) return;
  const script = fileURLToPath(new URL('../../../scripts/bgp-daemons.sh', import.meta.url));
  try {
    execFileSync('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 600_000 });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`scripts/bgp-daemons.sh failed: ${e.stderr || e.stdout || e.message}`);
  }
  if (process.getuid?.() !== 0) throw new Error('BGP interop tests need root (network namespaces, TCP MD5, nftables)');
  done = true;
}
