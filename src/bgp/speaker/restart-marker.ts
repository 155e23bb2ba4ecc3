// Remembers across a process restart that the speaker went down on purpose for a graceful restart
// (RFC 4724), so the next start can set the R bit without being told. A small JSON file holds when the
// restart began; it counts only within the advertised restart time (after that the peer has dropped
// our routes anyway and this is a fresh start). Time is passed in.
import { readFile as readFileCb, rm as rmCb, writeFile as writeFileCb } from 'node:fs';
import { promisify } from 'node:util';

// node:fs's callback API: node:fs/promises would load 17 more of Node's modules into the speaker.
const readFile = promisify(readFileCb);
const writeFile = promisify(writeFileCb);
const rm = promisify(rmCb);

export interface RestartMarker {
  /** Milliseconds since the epoch when the restart-mode stop happened. */
  stoppedAt: number;
  restartTime: number;
}

export async function writeRestartMarker(path: string, nowMs: number, restartTime: number): Promise<void> {
  const m: RestartMarker = { stoppedAt: nowMs, restartTime };
  await writeFile(path, `${JSON.stringify(m)}\n`);
}

export async function clearRestartMarker(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** Whether a marker at `path` says we are restarting now; a missing or unreadable marker says no. */
export async function readRestartMarker(path: string, nowMs: number): Promise<{ restarting: boolean; reason: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { restarting: false, reason: 'no restart marker' };
  }
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return { restarting: false, reason: `restart marker ${path} is not JSON` };
  }
  const r = m as Partial<RestartMarker>;
  if (typeof r.stoppedAt !== 'number' || typeof r.restartTime !== 'number') {
    return { restarting: false, reason: `restart marker ${path} lacks stoppedAt/restartTime` };
  }
  const age = (nowMs - r.stoppedAt) / 1000;
  if (age < 0 || age > r.restartTime) {
    return {
      restarting: false,
      reason: `restart marker is ${age.toFixed(0)} s old, restart time is ${r.restartTime} s`,
    };
  }
  return { restarting: true, reason: `stopped for graceful restart ${age.toFixed(1)} s ago` };
}
