import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clearRestartMarker,
  readRestartMarker,
  writeRestartMarker,
} from '../../../../src/bgp/speaker/restart-marker.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function file(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'ferrolb-gr-'));
  dirs.push(d);
  return join(d, 'gr.json');
}

describe('restart marker', () => {
  it('says restarting within the restart time, not after, not when cleared', async () => {
    const f = await file();
    await writeRestartMarker(f, 1_000_000, 120);
    expect((await readRestartMarker(f, 1_000_000 + 119_000)).restarting).toBe(true);
    expect(await readRestartMarker(f, 1_000_000 + 121_000)).toMatchObject({
      restarting: false,
      reason: expect.stringMatching(/121 s old/),
    });
    expect((await readRestartMarker(f, 999_000)).restarting).toBe(false); // clock went backwards
    await clearRestartMarker(f);
    expect(await readRestartMarker(f, 1_000_000)).toEqual({ restarting: false, reason: 'no restart marker' });
  });

  it('treats a damaged marker as no marker and says why', async () => {
    const f = await file();
    await writeFile(f, 'not json');
    expect(await readRestartMarker(f, 0)).toMatchObject({
      restarting: false,
      reason: expect.stringMatching(/not JSON/),
    });
    await writeFile(f, '{"stoppedAt":"x"}');
    expect(await readRestartMarker(f, 0)).toMatchObject({ restarting: false, reason: expect.stringMatching(/lacks/) });
  });
});
