// A netlink socket (the addon's NetlinkSocket) speaking whole messages: `transact` encodes requests into one
// buffer, sends it in one sendmsg and returns the replies, with every NLMSG_ERROR that carried an error as a
// NetlinkFailure (errno name and number, the sequence number of the request it answers, the kernel's
// extended-ACK message). Synchronous: the kernel answers generic netlink and rtnetlink inside sendmsg (see
// netlink-socket.h); callers that send much split it into several transactions and yield in between.
import { constants } from 'node:os';
import {
  decodeNlMessages,
  decodeNlMsgErr,
  encodeNlMessages,
  extackMessage,
  NLMSG_ERROR,
  type NlMessage,
} from '../netlink/codec/index.ts';
import { nativeAddon, type NativeNetlinkSocket } from './addon.ts';

export const NETLINK_ROUTE = 0;
export const NETLINK_NETFILTER = 12;
export const NETLINK_GENERIC = 16;

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([k, v]) => [v, k]));

/** The errno name (`EEXIST`) of a positive errno number. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}

export interface NetlinkFailure {
  /** The failed request's sequence number. */
  seq: number;
  /** Positive errno. */
  errno: number;
  /** Its name (`EEXIST`). */
  code: string;
  /** The kernel's extended-ACK message, when it gave one. */
  message?: string;
}

export interface NetlinkSocketOptions {
  /** NETLINK_GENERIC, NETLINK_ROUTE, ... */
  protocol: number;
  /** Receive buffer (default 4 MiB: room for the answers of one transaction). */
  receiveBufferBytes?: number;
  /** Longest wait for an answer (default 5 s; the kernel answers inside sendmsg, so this is a safety net). */
  timeoutMs?: number;
}

export class NetlinkSocket {
  readonly #native: NativeNetlinkSocket;
  #seq: number;

  constructor(o: NetlinkSocketOptions) {
    this.#native = new (nativeAddon().NetlinkSocket)(o);
    // Sequence numbers start somewhere else each time, so a stale reply on a reused port is not taken for ours.
    this.#seq = (Date.now() & 0x7fffffff) >>> 0;
  }

  /** The port id the kernel gave the socket. */
  get portId(): number {
    return this.#native.portId();
  }

  /** A fresh sequence number for the next request. */
  nextSeq(): number {
    this.#seq = (this.#seq + 1) >>> 0;
    return this.#seq;
  }

  /**
   * Sends the requests in one sendmsg and returns every reply (dump parts, NLMSG_DONE, ACKs) and the errors.
   * Waits for an answer to each request that has NLM_F_ACK or is a dump (NLM_F_DUMP); requests without either
   * are answered only when they fail. Throws (errno code) when the socket itself fails or nothing answers.
   */
  transact(requests: readonly NlMessage[]): { replies: NlMessage[]; failures: NetlinkFailure[] } {
    return this.transactBytes(encodeNlMessages(requests));
  }

  /** transact() for requests already encoded into one buffer (a codec that writes a batch in one go). */
  transactBytes(requests: Uint8Array): { replies: NlMessage[]; failures: NetlinkFailure[] } {
    const raw = this.#native.exchange(requests);
    const replies = decodeNlMessages(raw);
    const failures: NetlinkFailure[] = [];
    for (const r of replies) {
      if (r.type !== NLMSG_ERROR) continue;
      const e = decodeNlMsgErr(r.payload, 0, { flags: r.flags, length: r.payload.length }).value;
      if (e.error === 0) continue;
      const message = extackMessage(e);
      failures.push({
        seq: e.request.seq,
        errno: -e.error,
        code: errnoName(-e.error),
        ...(message ? { message } : {}),
      });
    }
    return { replies, failures };
  }

  close(): void {
    this.#native.close();
  }
}
