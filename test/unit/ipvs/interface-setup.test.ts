// The dummy interface's setup batch and readiness, with and without IPv6 on the node: where IPv6 is
// disabled (ipv6.disable=1) `ip link set … addrgenmode` is refused and would stop the whole `ip -batch`.
import { describe, expect, it } from 'vitest';
import { parseInterfaceInfo } from '../../../src/ipvs/kernel.ts';
import { interfaceSetupBatch } from '../../../src/ipvs/setup.ts';

const UP_WITH_V6 = `5: kube-ipvs0: <BROADCAST,NOARP,UP,LOWER_UP> mtu 1500 qdisc noqueue state UNKNOWN group default
    link/ether 7e:51:23:aa:bb:cc brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 0 maxmtu 0
    alias ferrolb
    dummy addrgenmode none numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535
`;
const UP_NO_V6 = UP_WITH_V6.replace(' addrgenmode none', '');
const UP_EUI64 = UP_WITH_V6.replace('addrgenmode none', 'addrgenmode eui64');

describe('interface setup', () => {
  it('is ready when up, NOARP and addrgenmode none — or with no addrgenmode at all (no IPv6 on the node)', () => {
    expect(parseInterfaceInfo(0, UP_WITH_V6)).toEqual({ exists: true, dummy: true, owned: true, ready: true });
    expect(parseInterfaceInfo(0, UP_NO_V6).ready).toBe(true);
    expect(parseInterfaceInfo(0, UP_EUI64).ready).toBe(false);
  });

  it('sets addrgenmode only where the node has IPv6', () => {
    const missing = parseInterfaceInfo(1, '');
    expect(interfaceSetupBatch('kube-ipvs0', missing, true)).toBe(
      'link add kube-ipvs0 type dummy\nlink set dev kube-ipvs0 alias ferrolb\n' +
        'link set dev kube-ipvs0 addrgenmode none\nlink set dev kube-ipvs0 arp off up\n',
    );
    expect(interfaceSetupBatch('kube-ipvs0', missing, false)).toBe(
      'link add kube-ipvs0 type dummy\nlink set dev kube-ipvs0 alias ferrolb\nlink set dev kube-ipvs0 arp off up\n',
    );
    expect(interfaceSetupBatch('kube-ipvs0', parseInterfaceInfo(0, UP_EUI64), false)).toBe(
      'link set dev kube-ipvs0 arp off up\n',
    );
  });
});
