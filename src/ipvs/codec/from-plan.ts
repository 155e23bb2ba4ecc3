// The plan's IPVS changes as IPVS generic netlink requests, the same operations `ipvsadm -R` performs for
// the lines renderIpvsBatch writes (-A/-E/-D services, -a/-e/-d masquerading real servers), in plan order,
// and dump replies back into the plan's model.
import type { IpvsChange } from '../plan/diff.ts';
import { realKey, vsKeyOf } from '../plan/keys.ts';
import type { IpvsService, Protocol, RealServer, VirtualServer } from '../plan/types.ts';
import type { IpvsDestAttrs, IpvsServiceAttrs } from './attrs.ts';
import * as K from './constants.ts';
import type { IpvsMessage } from './message.ts';

const PROTO_NUMBER: Record<Protocol, number> = { TCP: K.IPPROTO_TCP, UDP: K.IPPROTO_UDP, SCTP: K.IPPROTO_SCTP };
const PROTO_NAME = new Map<number, Protocol>([
  [K.IPPROTO_TCP, 'TCP'],
  [K.IPPROTO_UDP, 'UDP'],
  [K.IPPROTO_SCTP, 'SCTP'],
]);

/** The service's identity (what DEL_SERVICE and every *_DEST command name it by). */
export function serviceId(vs: VirtualServer): IpvsServiceAttrs {
  return {
    af: vs.family === 'ipv6' ? K.AF_INET6 : K.AF_INET,
    protocol: PROTO_NUMBER[vs.protocol],
    address: vs.address,
    port: vs.port,
  };
}

/** Everything NEW/SET_SERVICE need, as ipvsadm fills it: persistence per client address (-M default). */
export function serviceFull(vs: VirtualServer): IpvsServiceAttrs {
  const persistent = vs.persistence !== undefined;
  return {
    ...serviceId(vs),
    schedName: vs.scheduler,
    flags: { flags: persistent ? K.IP_VS_SVC_F_PERSISTENT : 0, mask: 0xffffffff },
    timeout: vs.persistence ?? 0,
    netmask: vs.family === 'ipv6' ? 128 : 0xffffffff,
  };
}

function destFull(vs: VirtualServer, r: RealServer): IpvsDestAttrs {
  return {
    address: r.address,
    port: r.port,
    fwdMethod: K.IP_VS_CONN_F_MASQ,
    weight: r.weight,
    uThresh: 0,
    lThresh: 0,
    addrFamily: vs.family === 'ipv6' ? K.AF_INET6 : K.AF_INET,
  };
}

export function changeMessage(c: IpvsChange): IpvsMessage {
  switch (c.op) {
    case 'add-service':
      return { cmd: K.IPVS_CMD_NEW_SERVICE, service: serviceFull(c.vs) };
    case 'edit-service':
      return { cmd: K.IPVS_CMD_SET_SERVICE, service: serviceFull(c.vs) };
    case 'del-service':
      return { cmd: K.IPVS_CMD_DEL_SERVICE, service: serviceId(c.vs) };
    case 'add-real':
      return { cmd: K.IPVS_CMD_NEW_DEST, service: serviceId(c.vs), dest: destFull(c.vs, c.real) };
    case 'edit-real':
      return { cmd: K.IPVS_CMD_SET_DEST, service: serviceId(c.vs), dest: destFull(c.vs, c.real) };
    case 'del-real':
      return {
        cmd: K.IPVS_CMD_DEL_DEST,
        service: serviceId(c.vs),
        dest: { address: c.real.address, port: c.real.port, addrFamily: serviceId(c.vs).af },
      };
  }
}

/** What a change is about, as an error names it: `add-real TCP/192.0.2.1:80 -> 10.0.0.1:8080`. */
export function changeSubject(c: IpvsChange): string {
  const vs = vsKeyOf(c.vs);
  return 'real' in c ? `${c.op} ${vs} -> ${realKey(c.real.address, c.real.port)}` : `${c.op} ${vs}`;
}

/**
 * A GET_SERVICE dump reply as the plan's virtual server; a string saying why when it is not one FerroLB
 * programs (fwmark services, other protocols or families), which is then left alone as `ipvsadm -Sn` lines
 * it cannot parse are.
 */
export function dumpedService(s: IpvsServiceAttrs): VirtualServer | string {
  const family = s.af === K.AF_INET ? 'ipv4' : s.af === K.AF_INET6 ? 'ipv6' : undefined;
  const protocol = s.protocol === undefined ? undefined : PROTO_NAME.get(s.protocol);
  if (s.fwmark) return `fwmark service ${s.fwmark}`;
  if (!family || !protocol || s.address === undefined || s.port === undefined)
    return `service af=${s.af} protocol=${s.protocol} address=${s.address} port=${s.port}`;
  const vs: VirtualServer = { protocol, address: s.address, family, port: s.port, scheduler: s.schedName ?? '' };
  if (s.flags && (s.flags.flags & K.IP_VS_SVC_F_PERSISTENT) !== 0) vs.persistence = s.timeout ?? 0;
  return vs;
}

export function dumpedReal(d: IpvsDestAttrs, withCounts: boolean): RealServer | string {
  if (d.address === undefined || d.port === undefined || d.weight === undefined)
    return `destination address=${d.address} port=${d.port} weight=${d.weight}`;
  const r: RealServer = { address: d.address, port: d.port, weight: d.weight };
  if (withCounts) {
    r.activeConns = d.activeConns ?? 0;
    r.inactiveConns = d.inactConns ?? 0;
  }
  return r;
}

export function emptyService(vs: VirtualServer): IpvsService {
  return { vs, reals: new Map() };
}
