// releaseStartupPagesLater on a fake clock: one release, after the delay, reported; a failing release is
// reported, not thrown; a delay of 0 never releases; cancelling the timer prevents it.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../helpers/fake-clock.ts';
import { releaseStartupPagesLater, type ReleasedPages } from '../../../src/speaker/startup-pages.ts';

function rig(release: () => ReleasedPages = () => ({ mappings: 3, bytes: 20 << 20 })) {
  const clock = new FakeClock();
  const calls: string[] = [];
  const deps = {
    clock,
    release: () => (calls.push('release'), release()),
    onRelease: (r: ReleasedPages) => calls.push(`released ${r.mappings} ${r.bytes >> 20}`),
    onError: (err: unknown) => calls.push(`error ${(err as Error).message}`),
  };
  return { clock, calls, deps };
}

describe('releaseStartupPagesLater', () => {
  it('releases once, after the delay, and reports what it released', () => {
    const r = rig();
    releaseStartupPagesLater(r.deps, 10_000);
    r.clock.advance(9_999);
    expect(r.calls).toEqual([]);
    r.clock.advance(1);
    expect(r.calls).toEqual(['release', 'released 3 20']);
    r.clock.advance(3_600_000);
    expect(r.calls).toHaveLength(2);
  });

  it('reports a failed release instead of throwing', () => {
    const r = rig(() => {
      throw new Error('ENOENT: open /proc/self/smaps');
    });
    releaseStartupPagesLater(r.deps, 1);
    expect(() => r.clock.advance(1)).not.toThrow();
    expect(r.calls).toEqual(['release', 'error ENOENT: open /proc/self/smaps']);
  });

  it('never releases with a delay of 0, nor once cancelled', () => {
    const r = rig();
    expect(releaseStartupPagesLater(r.deps, 0)).toBeUndefined();
    releaseStartupPagesLater(r.deps, 5)?.cancel();
    r.clock.advance(60_000);
    expect(r.calls).toEqual([]);
  });
});
