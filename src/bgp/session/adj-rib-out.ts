// Adj-RIB-Out diffing (pure): what to announce and withdraw to move the peer from what we advertised to
// what we want advertised. Routes are keyed by prefix; a route whose attributes changed is re-announced
// (an implicit withdraw of the old path, RFC 4271 §3.1), never withdrawn first.
import type { Prefix, Route } from '../routes.ts';
import { prefixKey, sameAttributes } from '../routes.ts';

export interface RibDiff {
  announce: Route[];
  withdraw: Prefix[];
}

export function diffRib(advertised: ReadonlyMap<string, Route>, desired: ReadonlyMap<string, Route>): RibDiff {
  // Empty → full and full → empty (a session's first routes, a withdrawal of all): one straight pass.
  if (advertised.size === 0) return { announce: [...desired.values()], withdraw: [] };
  if (desired.size === 0) return { announce: [], withdraw: [...advertised.values()].map((r) => r.prefix) };
  const announce: Route[] = [];
  const withdraw: Prefix[] = [];
  for (const [key, route] of desired) {
    const old = advertised.get(key);
    if (!old || !sameAttributes(old, route)) announce.push(route);
  }
  for (const [key, route] of advertised) {
    if (!desired.has(key)) withdraw.push(route.prefix);
  }
  return { announce, withdraw };
}

export function toRib(routes: Iterable<Route>): Map<string, Route> {
  const m = new Map<string, Route>();
  for (const r of routes) m.set(prefixKey(r.prefix), r);
  return m;
}
