// Whole messages: header + body, dispatched by type (RFC 4271 §4). decodeMessage throws BgpError for
// every session-reset error; weaker RFC 7606 outcomes are reported on the decoded Update.
import { BgpError, ErrorCode, HeaderSubcode } from '../errors.ts';
import { badLength, checkHeader, writeHeader } from './header.ts';
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH, MessageType } from './constants.ts';
import type { BgpMessage, BgpMessageType, BodyCodec, CodecContext, Decoded, WireCodec } from './model.ts';
import { keepaliveBody } from './messages/keepalive.ts';
import { notificationBody } from './messages/notification.ts';
import { openBody } from './messages/open.ts';
import { routeRefreshBody } from './messages/route-refresh.ts';
import { updateBody } from './messages/update.ts';

interface MessageSpec {
  code: number;
  /** RFC 4271 §6.1: lengths below these (or, for KEEPALIVE, other than 19) are Bad Message Length. */
  minLength: number;
  maxLength: number;
  body: BodyCodec<BgpMessage>;
}

export const MESSAGE_TABLE: { readonly [K in BgpMessageType]: MessageSpec } = {
  OPEN: {
    code: MessageType.OPEN,
    minLength: 29,
    maxLength: MAX_MESSAGE_LENGTH,
    body: openBody as BodyCodec<BgpMessage>,
  },
  UPDATE: {
    code: MessageType.UPDATE,
    minLength: 23,
    maxLength: MAX_MESSAGE_LENGTH,
    body: updateBody as BodyCodec<BgpMessage>,
  },
  NOTIFICATION: {
    code: MessageType.NOTIFICATION,
    minLength: 21,
    maxLength: MAX_MESSAGE_LENGTH,
    body: notificationBody as BodyCodec<BgpMessage>,
  },
  KEEPALIVE: {
    code: MessageType.KEEPALIVE,
    minLength: 19,
    maxLength: 19,
    body: keepaliveBody as BodyCodec<BgpMessage>,
  },
  'ROUTE-REFRESH': {
    code: MessageType['ROUTE-REFRESH'],
    minLength: 23,
    maxLength: MAX_MESSAGE_LENGTH,
    body: routeRefreshBody as BodyCodec<BgpMessage>,
  },
};

const BY_CODE: ReadonlyArray<MessageSpec | undefined> = (() => {
  const a = new Array<MessageSpec | undefined>(256).fill(undefined);
  for (const s of Object.values(MESSAGE_TABLE)) a[s.code] = s;
  return a;
})();

/**
 * Decodes the complete message at `offset`. Throws BgpError (header errors 1/x, OPEN errors 2/x, UPDATE
 * session-reset errors 3/x, ROUTE-REFRESH 7/1), also when fewer octets than the header's length are present.
 */
export function decodeMessage(input: Uint8Array, offset: number, ctx: CodecContext): Decoded<BgpMessage> {
  // A Node Buffer's slice() is a view, not a copy: decode through a plain Uint8Array so that every byte
  // array in the result (attribute data, NOTIFICATION data, ...) is a copy the caller may keep.
  const buf =
    input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const { length, type } = checkHeader(buf, offset);
  const spec = BY_CODE[type];
  if (!spec) {
    throw new BgpError(
      ErrorCode.MessageHeader,
      HeaderSubcode.BadMessageType,
      `message at offset ${offset}: type ${type} is not 1..5`,
      {
        data: new Uint8Array([type]),
      },
    );
  }
  if (length < spec.minLength || length > spec.maxLength) {
    const want = spec.minLength === spec.maxLength ? `${spec.minLength}` : `at least ${spec.minLength}`;
    throw badLength(buf, offset, `length ${length} for message type ${type}, expected ${want}`);
  }
  if (buf.length - offset < length) {
    throw badLength(buf, offset, `header says ${length} octets but only ${buf.length - offset} are present`);
  }
  // The body decoder sees only this message.
  const view = buf.length - offset === length ? buf : buf.subarray(0, offset + length);
  const value = spec.body.decode(view, offset + HEADER_LENGTH, length - HEADER_LENGTH, ctx);
  return { value, bytesRead: length };
}

export function messageLength(msg: BgpMessage, ctx: CodecContext): number {
  return HEADER_LENGTH + MESSAGE_TABLE[msg.type].body.length(msg, ctx);
}

/** Writes `msg` at `offset`; throws RangeError when a field is out of range or the message exceeds 4096. */
export function writeMessage(msg: BgpMessage, buf: Uint8Array, offset: number, ctx: CodecContext): number {
  const spec = MESSAGE_TABLE[msg.type];
  if (!spec) throw new RangeError(`unknown message type "${String((msg as { type: unknown }).type)}"`);
  const length = HEADER_LENGTH + spec.body.length(msg, ctx);
  if (length > MAX_MESSAGE_LENGTH) {
    throw new RangeError(`${msg.type} message of ${length} octets exceeds ${MAX_MESSAGE_LENGTH}`);
  }
  writeHeader(buf, offset, length, spec.code);
  const n = spec.body.write(msg, buf, offset + HEADER_LENGTH, ctx);
  if (HEADER_LENGTH + n !== length)
    throw new Error(`internal: ${msg.type} wrote ${n} body octets, length() said ${length - 19}`);
  return length;
}

export function encodeMessage(msg: BgpMessage, ctx: CodecContext): Uint8Array {
  const out = new Uint8Array(messageLength(msg, ctx));
  writeMessage(msg, out, 0, ctx);
  return out;
}

export const messageCodec: WireCodec<BgpMessage> = {
  decode: decodeMessage,
  write: writeMessage,
  length: messageLength,
};
