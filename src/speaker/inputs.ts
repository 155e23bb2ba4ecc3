// What the speaker knows of the cluster, reduced to the fields its decisions read. The shell builds
// these from informers (Services, EndpointSlices, Nodes), membership and the parsed configuration.
import type { Config } from '../config/index.ts';
import type { EndpointFacts, NodeFacts } from '../election/index.ts';

/** One LoadBalancer Service this speaker is responsible for (its class already checked by the shell). */
export interface ServiceView {
  /** `namespace/name`. */
  key: string;
  /** status.loadBalancer.ingress IPs, canonical text, in status order. */
  ips: string[];
  externalTrafficPolicy: 'Cluster' | 'Local';
  /** Endpoints of every EndpointSlice of the Service. */
  endpoints: EndpointFacts[];
}

export interface SpeakerInputs {
  myNode: string;
  config: Config;
  services: readonly ServiceView[];
  nodes: ReadonlyMap<string, NodeFacts>;
  /** Nodes membership reports alive (Layer 2 only: in BGP mode every node speaks for itself). */
  alive: ReadonlySet<string>;
  /** Which pool an IP belongs to (the configuration's first pool holding it), or undefined. */
  poolOf: (ip: string) => string | undefined;
  ignoreExcludeLabel?: boolean;
}
