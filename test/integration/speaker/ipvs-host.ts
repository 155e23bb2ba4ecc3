// On the host (this machine's kernel has no IPVS; CI's may): IPVS is on by default in every speaker of a
// lab, so a lab test that proves ARP / BGP answers also proves they go on while IPVS is unavailable.
// This checks the speakers said so: ferrolb_speaker_ipvs_available 0 and the one clear error per process
// start naming what is missing and --disable-ipvs (or, on a kernel with IPVS, available 1 and no error).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { TestLab } from './lab-fixture.ts';

/** Whether this machine's kernel and tools can do IPVS at all (what the speakers' probe asks first). */
export const hostHasIpvs = (): boolean => spawnSync('ipvsadm', ['-L', '--timeout'], { stdio: 'ignore' }).status === 0;

export async function expectIpvsReported(lab: TestLab): Promise<void> {
  const available = hostHasIpvs();
  for (const node of lab.net.nodes) {
    expect(await lab.metrics(node), node.name).toMatch(
      new RegExp(`^ferrolb_speaker_ipvs_available ${available ? 1 : 0}$`, 'm'),
    );
    const log = readFileSync(lab.speakers.get(node.name)!.logPath, 'utf8').split('\n');
    const starts = log.filter((l) => l.includes('"msg":"speaker starting"')).length;
    const errors = log.filter((l) => l.includes('IPVS unavailable on this node'));
    if (available) expect(errors, node.name).toEqual([]);
    else {
      expect(errors.length, `${node.name}: one IPVS error per start (${starts} starts)`).toBeGreaterThanOrEqual(1);
      expect(errors.length, `${node.name}: one IPVS error per start (${starts} starts)`).toBeLessThanOrEqual(starts);
      for (const e of errors) expect(e).toMatch(/"level":50.*"missing":"[^"]+".*--disable-ipvs/);
    }
  }
}
