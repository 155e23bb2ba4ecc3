// Which endpoints can take traffic, as MetalLB decides it for announcements: ready (or no readiness
// reported), or serving while terminating (so a rolling update does not withdraw the IP while the old
// Pods still serve).

/** The parts of an EndpointSlice endpoint that election reads. */
export interface EndpointFacts {
  /** spec `nodeName`; endpoints without one count for "has a serving endpoint" but not for Local. */
  nodeName?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

/** MetalLB's EndpointCanServe: ready, absent readiness, or serving. */
export function endpointCanServe(e: EndpointFacts): boolean {
  if (e.ready === undefined || e.ready) return true;
  return e.serving === true;
}

/** Nodes with at least one endpoint that can serve (for externalTrafficPolicy: Local). */
export function nodesWithServingEndpoint(endpoints: readonly EndpointFacts[]): Set<string> {
  const out = new Set<string>();
  for (const e of endpoints) if (e.nodeName !== undefined && endpointCanServe(e)) out.add(e.nodeName);
  return out;
}
