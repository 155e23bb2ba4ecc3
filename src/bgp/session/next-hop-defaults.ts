// Next hops for routes that carry none (pure): the configured next hop of the family, else the session's
// local address `local` when it is of that family; the IPv6 link-local next hop only when configured.
import type { Ip } from '../../net/ip.ts';
import { formatIp } from '../../net/ip.ts';
import type { NextHopDefaults } from './resolve-routes.ts';
import type { SessionOptions } from './session-types.ts';

export function nextHopDefaults(
  local: string | undefined,
  configured: SessionOptions['nextHops'],
  parse: (text: string) => Ip | undefined,
): NextHopDefaults {
  const localIp = local !== undefined ? parse(local) : undefined;
  const nh = configured;
  const defaults: NextHopDefaults = {
    ...(nh?.ipv6LinkLocal !== undefined ? { ipv6LinkLocal: nh.ipv6LinkLocal } : {}),
  };
  const v4 = nh?.ipv4 ?? (localIp?.family === 'ipv4' ? formatIp('ipv4', localIp.value) : undefined);
  const v6 = nh?.ipv6 ?? (localIp?.family === 'ipv6' ? formatIp('ipv6', localIp.value) : undefined);
  if (v4 !== undefined) defaults.ipv4 = v4;
  if (v6 !== undefined) defaults.ipv6 = v6;
  return defaults;
}
