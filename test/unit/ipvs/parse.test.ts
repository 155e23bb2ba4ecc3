import { describe, expect, it } from 'vitest';
import {
  canonicalEntry,
  parseIpAddr,
  parseIpsetSave,
  parseIpvsadmList,
  parseIpvsadmSave,
} from '../../../src/ipvs/plan/index.ts';

// Spelled exactly as ipvsadm 1.31 / ipset 7.17 / iproute2 6.1 print them (captured in the test VM).
const SAVE = `-A -t 192.0.2.1:80 -s rr
-a -t 192.0.2.1:80 -r 10.0.0.1:8080 -m -w 1
-a -t 192.0.2.1:80 -r 10.0.0.2:8080 -m -w 0
-A -u [2001:db8:0::1]:53 -s sh -p 300
-a -u [2001:db8::1]:53 -r [2001:db8:1::5]:5353 -m -w 1
-A --sctp-service 192.0.2.2:3868 -s mh
-A -f 7 -s rr
`;

const LIST = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  192.0.2.1:80 rr
  -> 10.0.0.1:8080                Masq    1      3          12        
  -> 10.0.0.2:8080                Masq    0      0          0         
UDP  [2001:db8::1]:53 sh persistent 300
  -> [2001:db8:1::5]:5353         Masq    1      0          1         
`;

describe('ipvsadm parsers', () => {
  it('reads -Sn rules into the model (IPv6 canonicalised, SCTP, persistence), skipping fwmark services', () => {
    const p = parseIpvsadmSave(SAVE);
    expect(p.problems).toEqual([]);
    expect([...p.services.keys()]).toEqual(['TCP/192.0.2.1:80', 'UDP/[2001:db8::1]:53', 'SCTP/192.0.2.2:3868']);
    expect(p.services.get('UDP/[2001:db8::1]:53')!.vs).toEqual({
      protocol: 'UDP',
      address: '2001:db8::1',
      family: 'ipv6',
      port: 53,
      scheduler: 'sh',
      persistence: 300,
    });
    expect([...p.services.get('TCP/192.0.2.1:80')!.reals.values()]).toEqual([
      { address: '10.0.0.1', port: 8080, weight: 1 },
      { address: '10.0.0.2', port: 8080, weight: 0 },
    ]);
    expect(p.services.get('UDP/[2001:db8::1]:53')!.reals.has('[2001:db8:1::5]:5353')).toBe(true);
  });

  it('reads -Ln --exact with connection counts', () => {
    const p = parseIpvsadmList(LIST);
    expect(p.problems).toEqual([]);
    expect(p.services.get('TCP/192.0.2.1:80')!.reals.get('10.0.0.1:8080')).toEqual({
      address: '10.0.0.1',
      port: 8080,
      weight: 1,
      activeConns: 3,
      inactiveConns: 12,
    });
    expect(p.services.get('UDP/[2001:db8::1]:53')!.vs.persistence).toBe(300);
  });

  it('reports lines it does not understand instead of guessing', () => {
    const p = parseIpvsadmSave('-A -t 192.0.2.1:80 -s rr\n-a -t 192.0.2.9:80 -r 10.0.0.1:1 -m -w 1\n-X what\n');
    expect(p.problems).toEqual([
      'ipvsadm -Sn line 2: real server before its virtual server: -a -t 192.0.2.9:80 -r 10.0.0.1:1 -m -w 1',
      'ipvsadm -Sn line 3: not a virtual or real server rule: -X what',
    ]);
    expect(parseIpvsadmList('TCP  192.0.2.1:80 rr\n  -> 10.0.0.1:80 Masq 1 2.5K 0\n').problems).toHaveLength(1);
  });
});

describe('ipset save parser', () => {
  it("keeps only FerroLB's sets and canonicalises members", () => {
    const text = `create KUBE-LOAD-BALANCER hash:ip,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x4f0cb63d
add KUBE-LOAD-BALANCER 192.0.2.1,tcp:80
add KUBE-LOAD-BALANCER 192.0.2.1,sctp:3868
create KUBE-6-LOAD-BALANCER-SOURCE-CID hash:ip,port,net family inet6 hashsize 1024 maxelem 65536
add KUBE-6-LOAD-BALANCER-SOURCE-CID 2001:db8:0::1,tcp:80,2001:db8:f::/48
create KUBE-LOAD-BALANCER-SOURCE-CIDR hash:ip,port,net family inet hashsize 1024 maxelem 65536
add KUBE-LOAD-BALANCER-SOURCE-CIDR 192.0.2.1,tcp:80,198.51.100.7
create OTHER hash:ip family inet
add OTHER 192.0.2.9
`;
    const p = parseIpsetSave(text);
    expect(p.problems).toEqual([]);
    expect([...p.sets.keys()]).toEqual([
      'KUBE-LOAD-BALANCER',
      'KUBE-6-LOAD-BALANCER-SOURCE-CID',
      'KUBE-LOAD-BALANCER-SOURCE-CIDR',
    ]);
    expect([...p.sets.get('KUBE-LOAD-BALANCER')!.entries]).toEqual(['192.0.2.1,tcp:80', '192.0.2.1,sctp:3868']);
    expect([...p.sets.get('KUBE-6-LOAD-BALANCER-SOURCE-CID')!.entries]).toEqual(['2001:db8::1,tcp:80,2001:db8:f::/48']);
    expect([...p.sets.get('KUBE-LOAD-BALANCER-SOURCE-CIDR')!.entries]).toEqual(['192.0.2.1,tcp:80,198.51.100.7/32']);
  });

  it('reports a set of the wrong type and malformed members', () => {
    const p = parseIpsetSave(
      'create KUBE-LOAD-BALANCER hash:ip family inet\nadd KUBE-LOAD-BALANCER 192.0.2.1,icmp:0\n',
    );
    expect(p.problems).toEqual([
      'ipset save line 1: set KUBE-LOAD-BALANCER is hash:ip ipv4, expected hash:ip,port ipv4',
      'ipset save line 2: "icmp:0" is not tcp|udp|sctp:port',
    ]);
    expect(canonicalEntry('hash:ip,port,ip', '192.0.2.1,udp:53')).toEqual({
      error: '"192.0.2.1,udp:53" is not a hash:ip,port,ip member',
    });
  });
});

describe('ip -o addr parser', () => {
  it('reads global addresses and skips link-local ones', () => {
    const text = `5: kube-ipvs0    inet 192.0.2.1/32 scope global kube-ipvs0\\       valid_lft forever preferred_lft forever
5: kube-ipvs0    inet6 2001:db8:0:0::1/128 scope global \\       valid_lft forever preferred_lft forever
5: kube-ipvs0    inet6 fe80::1c2d:3eff:fe4f:5a6b/64 scope link \\       valid_lft forever preferred_lft forever
`;
    const a = parseIpAddr(text, true);
    expect([...a.values()]).toEqual([
      { address: '192.0.2.1', family: 'ipv4', owned: true },
      { address: '2001:db8::1', family: 'ipv6', owned: true },
    ]);
    expect(parseIpAddr(text, false).get('192.0.2.1')!.owned).toBe(false);
  });
});
