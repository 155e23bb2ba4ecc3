// An address family, named as the Kubernetes API names them (ipFamilies: IPv4/IPv6, lower-cased here).
export type Family = 'ipv4' | 'ipv6';
