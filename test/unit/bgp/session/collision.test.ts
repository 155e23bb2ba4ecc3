import { describe, expect, it } from 'vitest';
import type { Candidate } from '../../../../src/bgp/session/collision.ts';
import { collisionLoser } from '../../../../src/bgp/session/collision.ts';

type Named = Candidate & { name: string };
const out: Named = { direction: 'out', age: 1, name: 'out' };
const inc: Named = { direction: 'in', age: 2, name: 'in' };

describe('collisionLoser (RFC 4271 §6.8)', () => {
  it.each([
    { local: 0xc0000202, peer: 0xc0000201, loser: 'in', why: 'our ID higher: keep ours' },
    { local: 0xc0000201, peer: 0xc0000202, loser: 'out', why: 'peer ID higher: keep theirs' },
    { local: 0xff000001, peer: 0x0a000001, loser: 'in', why: 'compared unsigned (high bit set)' },
  ])('$why', ({ local, peer, loser }) => {
    expect(collisionLoser(out, inc, local, peer).name).toBe(loser);
    expect(collisionLoser(inc, out, local, peer).name).toBe(loser);
  });

  it('same direction: the older connection loses', () => {
    const old: Named = { direction: 'in', age: 1, name: 'old' };
    const fresh: Named = { direction: 'in', age: 5, name: 'new' };
    expect(collisionLoser(old, fresh, 1, 2).name).toBe('old');
    expect(collisionLoser(fresh, old, 1, 2).name).toBe('old');
  });
});
