import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/controller/backoff.ts';

describe('backoffDelay', () => {
  const policy = { baseMs: 100, maxMs: 1000 };
  it('doubles from the base and stops at the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map((n) => backoffDelay(policy, n))).toEqual([0, 100, 200, 400, 800, 1000, 1000]);
  });
});
