// Names the configuration gives to objects that end up in the Kubernetes API: a pool's name is written
// into every Service it serves (the ip-allocated-from-pool annotations) and is an IPAddressPool's
// metadata.name in MetalLB's CRDs, so it must be what the API accepts there: a DNS-1123 subdomain (at
// most 253 characters, lowercase letters, digits, '-' and '.'). A 140 KB pool name used to be accepted
// and then refused by the API server on every annotation write.
import { quote } from './excerpt.ts';

export const DNS1123_SUBDOMAIN_MAX = 253;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `name` is not a DNS-1123 subdomain, or undefined when it is. `what`: e.g. "pool name". */
export function dnsSubdomainProblem(name: string, what: string): string | undefined {
  if (name.length > DNS1123_SUBDOMAIN_MAX) {
    return `${what} ${quote(name, 60)} is ${name.length} characters long; at most ${DNS1123_SUBDOMAIN_MAX} are allowed (a DNS-1123 subdomain, as for MetalLB's IPAddressPool names)`;
  }
  if (!DNS1123_SUBDOMAIN.test(name)) {
    return `${what} ${quote(name)} is not a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit), as MetalLB's IPAddressPool names must be`;
  }
  return undefined;
}
