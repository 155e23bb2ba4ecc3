// The Kubernetes objects FerroLB's configuration comes from, as the API serves them: the metallb.io kinds
// (group, version, plural) and the shapes of a ConfigMap and a metallb.io object that the config parser reads.
import { GROUP } from '../config/crd-envelope.ts';

/** The metallb.io kinds the controller watches, with the version it lists and the plural resource. */
export const METALLB_RESOURCES = [
  { kind: 'IPAddressPool', version: 'v1beta1', plural: 'ipaddresspools' },
  { kind: 'L2Advertisement', version: 'v1beta1', plural: 'l2advertisements' },
  { kind: 'BGPAdvertisement', version: 'v1beta1', plural: 'bgpadvertisements' },
  { kind: 'BGPPeer', version: 'v1beta2', plural: 'bgppeers' },
  { kind: 'BFDProfile', version: 'v1beta1', plural: 'bfdprofiles' },
  { kind: 'Community', version: 'v1beta1', plural: 'communities' },
] as const;

export const METALLB_GROUP = GROUP;

export interface ConfigMapLike {
  metadata?: { name?: string; namespace?: string };
  data?: Record<string, string>;
}

export interface CrdObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}
