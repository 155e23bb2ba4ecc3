// A plan as the batch texts the kernel tools read: `ipvsadm -R`, `ipset restore -exist`, `ip -batch -`.
import type { IpvsChange, Plan } from './diff.ts';
import { hostPort } from './keys.ts';
import type { Family, RealServer, VirtualServer } from './types.ts';

const PROTO_FLAG = { TCP: '-t', UDP: '-u', SCTP: '--sctp-service' } as const;

function vsArgs(vs: VirtualServer): string {
  return `${PROTO_FLAG[vs.protocol]} ${hostPort(vs.address, vs.family, vs.port)}`;
}

function vsParams(vs: VirtualServer): string {
  return `-s ${vs.scheduler}${vs.persistence !== undefined ? ` -p ${vs.persistence}` : ''}`;
}

function realArgs(vs: VirtualServer, r: RealServer): string {
  return `${vsArgs(vs)} -r ${hostPort(r.address, vs.family, r.port)}`;
}

export function ipvsLine(c: IpvsChange): string {
  switch (c.op) {
    case 'add-service':
      return `-A ${vsArgs(c.vs)} ${vsParams(c.vs)}`;
    case 'edit-service':
      return `-E ${vsArgs(c.vs)} ${vsParams(c.vs)}`;
    case 'del-service':
      return `-D ${vsArgs(c.vs)}`;
    case 'add-real':
      return `-a ${realArgs(c.vs, c.real)} -m -w ${c.real.weight}`;
    case 'edit-real':
      return `-e ${realArgs(c.vs, c.real)} -m -w ${c.real.weight}`;
    case 'del-real':
      return `-d ${realArgs(c.vs, c.real)}`;
  }
}

/** `ipvsadm -R` input; '' when there is nothing to do. */
export function renderIpvsBatch(p: Plan): string {
  return p.ipvs.map((c) => `${ipvsLine(c)}\n`).join('');
}

/** `ipset restore -exist` input creating missing sets and adding members (before IPVS changes). */
export function renderIpsetAdds(p: Plan): string {
  const out: string[] = [];
  for (const s of p.createSets) {
    out.push(
      `create ${s.name} ${s.type} family ${s.family === 'ipv6' ? 'inet6' : 'inet'} hashsize 1024 maxelem 65536\n`,
    );
  }
  for (const m of p.ipsetAdd) out.push(`add ${m.set} ${m.entry}\n`);
  return out.join('');
}

/** `ipset restore -exist` input deleting members (after IPVS changes). */
export function renderIpsetDels(p: Plan): string {
  return p.ipsetDel.map((m) => `del ${m.set} ${m.entry}\n`).join('');
}

/** Both ipset batches as one text ('' when there is nothing to do). */
export function renderIpsetBatch(p: Plan): string {
  return renderIpsetAdds(p) + renderIpsetDels(p);
}

function prefix(address: string, family: Family): string {
  return `${address}/${family === 'ipv6' ? 128 : 32}`;
}

/** `ip -batch -` input adding the plan's addresses to `iface` (IPv6 without DAD: it is a dummy). */
export function renderAddressAdds(p: Plan, iface: string): string {
  return p.addAddresses
    .map((a) => `address add ${prefix(a.address, a.family)} dev ${iface}${a.family === 'ipv6' ? ' nodad' : ''}\n`)
    .join('');
}

export function renderAddressDels(p: Plan, iface: string): string {
  return p.delAddresses.map((a) => `address del ${prefix(a.address, a.family)} dev ${iface}\n`).join('');
}
