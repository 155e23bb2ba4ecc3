// Which desired routes a session can send, with their next hops filled in (pure): routes of families the
// peer did not negotiate are skipped; a route without a next hop gets the configured next hop of its
// family, else the session's local address when it is of that family; a route whose next hop is not
// an address of its own family is skipped (no RFC 8950 extended next hop).
import type { Family } from '../../net/family.ts';
import type { Ip } from '../../net/ip.ts';
import type { Route } from '../routes.ts';

export interface NextHopDefaults {
  ipv4?: string;
  ipv6?: string;
  ipv6LinkLocal?: string;
}

export interface ResolvedRoutes {
  routes: Route[];
  /** Routes not sendable: family not negotiated, or no next hop of the route's family. */
  skipped: number;
}

export function resolveRoutes(
  desired: readonly Route[],
  families: ReadonlySet<Family>,
  defaults: NextHopDefaults,
  parse: (text: string) => Ip | undefined,
): ResolvedRoutes {
  const routes: Route[] = [];
  let skipped = 0;
  for (const r of desired) {
    const fam = r.prefix.family;
    if (!families.has(fam)) {
      skipped++;
      continue;
    }
    const nextHop = r.nextHop ?? defaults[fam];
    if (nextHop === undefined || parse(nextHop)?.family !== fam) {
      skipped++;
      continue;
    }
    const ll = r.nextHopLinkLocal ?? (fam === 'ipv6' ? defaults.ipv6LinkLocal : undefined);
    if (r.nextHop === nextHop && r.nextHopLinkLocal === ll) routes.push(r);
    else routes.push({ ...r, nextHop, ...(ll !== undefined ? { nextHopLinkLocal: ll } : {}) });
  }
  return { routes, skipped };
}
