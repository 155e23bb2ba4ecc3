// NOTIFICATION (RFC 4271 §4.5): error code, subcode, data. For Cease / Administrative Shutdown (2) and
// Administrative Reset (4) the data may be a shutdown communication (RFC 9003 §2, which obsoletes RFC 8203):
// one length octet then that many octets of UTF-8 (at most 255). A malformed communication is not an
// error (RFC 9003 §3: the receiver must not send a NOTIFICATION about it): it is just not decoded.
import { CeaseSubcode, ErrorCode } from '../../errors.ts';
import { checkUint } from '../../../wire/bytes.ts';
import type { BodyCodec, Notification } from '../model.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

function carriesShutdownCommunication(code: number, subcode: number): boolean {
  return (
    code === ErrorCode.Cease &&
    (subcode === CeaseSubcode.AdministrativeShutdown || subcode === CeaseSubcode.AdministrativeReset)
  );
}

function decodeCommunication(data: Uint8Array): string | undefined {
  if (data.length === 0) return undefined;
  const n = data[0] as number;
  // The communication is the whole data (RFC 9003 §2); anything else is not decoded (so that re-encoding
  // from `shutdownCommunication` gives the same data).
  if (n + 1 !== data.length) return undefined;
  try {
    return utf8.decode(data.subarray(1, 1 + n));
  } catch {
    return undefined;
  }
}

function dataOf(v: Notification): Uint8Array {
  if (v.shutdownCommunication === undefined) return v.data;
  const text = utf8Encoder.encode(v.shutdownCommunication);
  if (text.length > 255) {
    throw new RangeError(`shutdown communication is ${text.length} octets of UTF-8; at most 255 (RFC 9003 §2)`);
  }
  const out = new Uint8Array(1 + text.length);
  out[0] = text.length;
  out.set(text, 1);
  return out;
}

export const notificationBody: BodyCodec<Notification> = {
  decode(buf, offset, length) {
    // length >= 2 is guaranteed by the per-type minimum in message.ts.
    const code = buf[offset] as number;
    const subcode = buf[offset + 1] as number;
    const data = buf.slice(offset + 2, offset + length);
    const msg: Notification = { type: 'NOTIFICATION', code, subcode, data };
    if (carriesShutdownCommunication(code, subcode)) {
      const text = decodeCommunication(data);
      if (text !== undefined) msg.shutdownCommunication = text;
    }
    return msg;
  },
  write(v, buf, offset) {
    checkUint(v.code, 8, 'NOTIFICATION code');
    checkUint(v.subcode, 8, 'NOTIFICATION subcode');
    const data = dataOf(v);
    buf[offset] = v.code;
    buf[offset + 1] = v.subcode;
    buf.set(data, offset + 2);
    return 2 + data.length;
  },
  length: (v) => 2 + dataOf(v).length,
};
