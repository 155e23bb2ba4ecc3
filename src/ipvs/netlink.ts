// IPVS over generic netlink (the kernel interface ipvsadm itself uses, without a process per batch): the
// "IPVS" family resolved once through the genl controller, the plan's IPVS changes sent as NEW/SET/DEL
// SERVICE/DEST requests in a few sendmsg batches (plan order, as `ipvsadm -R` would apply them), and the
// virtual and real servers read back with GET_SERVICE / GET_DEST dumps (one dump per virtual server: the
// kernel runs one dump at a time per socket). When the family is missing (no ip_vs) or the addon cannot be
// loaded, `openIpvsNetlink` says why and the caller keeps using ipvsadm.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { NETLINK_GENERIC, NetlinkSocket, type NetlinkFailure } from '../native/index.ts';
import {
  decodeFamily,
  encodeGenlMessage,
  GENL_ID_CTRL,
  getFamilyRequest,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_REQUEST,
  NLMSG_HDRLEN,
  parseGenlPayload,
  type NlMessage,
} from '../netlink/codec/index.ts';
import {
  changeMessage,
  changeSubject,
  dumpedReal,
  dumpedService,
  encodeIpvsMessage,
  encodeIpvsRequests,
  fromGenl,
  ipvsMessageLength,
  IPVS_CMD_GET_DEST,
  IPVS_CMD_GET_SERVICE,
  IPVS_GENL_NAME,
  serviceId,
  type IpvsMessage,
  type IpvsRequest,
} from './codec/index.ts';
import { realKey, vsKeyOf, type IpvsChange, type IpvsService } from './plan/index.ts';

/** Octets per sendmsg (well under the default 208 KiB socket send buffer). */
const BATCH_BYTES = 48 * 1024;

export class IpvsNetlinkError extends Error {
  readonly code = 'netlink-failed';
  readonly failures: { subject: string; failure: NetlinkFailure }[];
  constructor(failures: { subject: string; failure: NetlinkFailure }[]) {
    const first = failures[0]!;
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more failed request(s))` : '';
    super(
      `IPVS netlink ${first.subject}: ${first.failure.code}${first.failure.message ? ` (${first.failure.message})` : ''}${more}`,
    );
    this.failures = failures;
  }
}

export interface IpvsNetlinkUnavailable {
  /** Why: the addon, the socket, or the family (`family IPVS not registered: ENOENT` when ip_vs is not loaded). */
  reason: string;
}

/** What the kernel side needs of the netlink path (IpvsNetlink; a unit test's fake). */
export interface IpvsNetlinkPath {
  apply(changes: readonly IpvsChange[]): Promise<void>;
  readServices(withCounts: boolean): { services: Map<string, IpvsService>; problems: string[] };
  close(): void;
}

export class IpvsNetlink implements IpvsNetlinkPath {
  readonly #sock: NetlinkSocket;
  readonly familyId: number;

  constructor(sock: NetlinkSocket, familyId: number) {
    this.#sock = sock;
    this.familyId = familyId;
  }

  #request(m: IpvsMessage, flags: number): NlMessage {
    return {
      type: this.familyId,
      flags: NLM_F_REQUEST | flags,
      seq: this.#sock.nextSeq(),
      pid: 0,
      payload: encodeIpvsMessage(m),
    };
  }

  /**
   * Applies the changes in order, in batches of at most BATCH_BYTES (yielding to the event loop in between).
   * Only each batch's last request asks for an ACK: the kernel answers the others only when they fail, all
   * inside the same sendmsg. A batch with failures ends the apply (later batches are not sent, as `ipvsadm -R`
   * stops at the first failed line); the error names each failed change and its errno.
   */
  async apply(changes: readonly IpvsChange[]): Promise<void> {
    let i = 0;
    while (i < changes.length) {
      const batch: IpvsRequest[] = [];
      const subjects = new Map<number, IpvsChange>();
      let bytes = 0;
      while (i < changes.length && bytes < BATCH_BYTES) {
        const c = changes[i++]!;
        const message = changeMessage(c);
        const seq = this.#sock.nextSeq();
        subjects.set(seq, c);
        batch.push({ message, flags: NLM_F_REQUEST, seq });
        bytes += NLMSG_HDRLEN + ipvsMessageLength(message);
      }
      batch[batch.length - 1]!.flags |= NLM_F_ACK;
      const { failures } = this.#sock.transactBytes(encodeIpvsRequests(batch, this.familyId));
      if (failures.length > 0) {
        throw new IpvsNetlinkError(
          failures.map((f) => {
            const c = subjects.get(f.seq);
            return { subject: c ? changeSubject(c) : `request seq ${f.seq}`, failure: f };
          }),
        );
      }
      if (i < changes.length) await yieldToLoop();
    }
  }

  #dump(m: IpvsMessage, what: string, destFamily?: number): IpvsMessage[] {
    const req = this.#request(m, NLM_F_DUMP);
    const { replies, failures } = this.#sock.transact([req]);
    if (failures.length > 0) throw new IpvsNetlinkError([{ subject: what, failure: failures[0]! }]);
    const out: IpvsMessage[] = [];
    for (const r of replies) {
      if (r.seq !== req.seq || r.type !== this.familyId) continue;
      if ((r.flags & NLM_F_DUMP_INTR) !== 0)
        throw new Error(`IPVS netlink ${what}: the table changed during the dump (NLM_F_DUMP_INTR); read again`);
      out.push(fromGenl(parseGenlPayload(r.payload), destFamily));
    }
    return out;
  }

  /**
   * The virtual servers and their real servers in the plan's model (connection counts too with
   * `withCounts`), as `ipvsadm -Sn` / `-Ln --exact` parse into it; services FerroLB never programs (fwmark)
   * are left out, anything not understood is a problem line.
   */
  readServices(withCounts: boolean): { services: Map<string, IpvsService>; problems: string[] } {
    const services = new Map<string, IpvsService>();
    const problems: string[] = [];
    for (const m of this.#dump({ cmd: IPVS_CMD_GET_SERVICE }, 'GET_SERVICE dump')) {
      if (!m.service) {
        problems.push('IPVS netlink: a GET_SERVICE reply without a service');
        continue;
      }
      const vs = dumpedService(m.service);
      if (typeof vs === 'string') {
        if (!m.service.fwmark) problems.push(`IPVS netlink: not understood: ${vs}`);
        continue;
      }
      const svc: IpvsService = { vs, reals: new Map() };
      const id = serviceId(vs);
      for (const d of this.#dump({ cmd: IPVS_CMD_GET_DEST, service: id }, `GET_DEST dump of ${vsKeyOf(vs)}`, id.af)) {
        const r = d.dest ? dumpedReal(d.dest, withCounts) : 'a GET_DEST reply without a destination';
        if (typeof r === 'string') problems.push(`IPVS netlink ${vsKeyOf(vs)}: not understood: ${r}`);
        else svc.reals.set(realKey(r.address, r.port), r);
      }
      services.set(vsKeyOf(vs), svc);
    }
    return { services, problems };
  }

  close(): void {
    this.#sock.close();
  }
}

/** Opens a generic netlink socket and resolves the IPVS family; says why not when it cannot. */
export function openIpvsNetlink(): IpvsNetlink | IpvsNetlinkUnavailable {
  let sock: NetlinkSocket;
  try {
    sock = new NetlinkSocket({ protocol: NETLINK_GENERIC });
  } catch (err) {
    return { reason: `no generic netlink socket: ${(err as Error).message.split('\n')[0]}` };
  }
  try {
    const req: NlMessage = {
      type: GENL_ID_CTRL,
      flags: NLM_F_REQUEST | NLM_F_ACK,
      seq: sock.nextSeq(),
      pid: 0,
      payload: encodeGenlMessage(getFamilyRequest(IPVS_GENL_NAME)),
    };
    const { replies, failures } = sock.transact([req]);
    if (failures.length > 0) {
      sock.close();
      return {
        reason: `generic netlink family ${IPVS_GENL_NAME} not registered (ip_vs not loaded?): ${failures[0]!.code}`,
      };
    }
    const reply = replies.find((r) => r.type === GENL_ID_CTRL && r.seq === req.seq);
    if (!reply) {
      sock.close();
      return { reason: `the genl controller did not answer the ${IPVS_GENL_NAME} family request` };
    }
    return new IpvsNetlink(sock, decodeFamily(parseGenlPayload(reply.payload)).id);
  } catch (err) {
    sock.close();
    return { reason: `resolving the ${IPVS_GENL_NAME} family failed: ${(err as Error).message}` };
  }
}
