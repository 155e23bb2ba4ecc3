// Connection collision resolution (RFC 4271 §6.8), pure: with two connections to the same peer, compare
// BGP Identifiers as unsigned integers; when ours is higher keep the connection we initiated, otherwise
// keep the one the peer initiated. Two connections in the same direction (the peer reconnected before
// the old one died): keep the newer one.
export type Direction = 'out' | 'in';

export interface Candidate {
  direction: Direction;
  /** Larger = opened later. */
  age: number;
}

/** Which of the two connections to dump (send Cease/Connection Collision Resolution, 6/7). */
export function collisionLoser<T extends Candidate>(a: T, b: T, localBgpId: number, peerBgpId: number): T {
  if (a.direction === b.direction) return a.age < b.age ? a : b;
  const dump: Direction = localBgpId >>> 0 > peerBgpId >>> 0 ? 'in' : 'out';
  return a.direction === dump ? a : b;
}
