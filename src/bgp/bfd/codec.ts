// BFD Control packet codec (RFC 5880 §4.1/§4.2) with the packet-level checks of §6.8.6. Decoding never
// throws on bad input: it returns the reason the packet must be discarded.
import { STATE_CODES, STATES } from './types.ts';
import type { BfdAuth, ControlPacket } from './types.ts';

/** Mandatory section length. */
export const CONTROL_HEADER_LENGTH = 24;

/** Why a received packet is discarded (RFC 5880 §6.8.6 rules, plus RFC 5881 §5 for TTL). */
export type DropReason =
  | 'truncated' // fewer bytes than the mandatory section
  | 'bad-version' // Version is not 1
  | 'bad-length' // Length < 24, < 26 with A set, or inconsistent auth length
  | 'length-exceeds-payload' // Length larger than the UDP payload
  | 'zero-detect-mult'
  | 'multipoint' // M bit set
  | 'zero-my-discriminator'
  | 'zero-your-discriminator-not-down' // Your Discriminator 0 while State is not Down/AdminDown
  | 'unknown-your-discriminator' // no session has that local discriminator
  | 'auth-not-configured' // A bit set, no authentication in use
  | 'auth-missing' // A bit clear, authentication in use
  | 'bad-ttl' // single hop: TTL / hop limit not 255; multihop: below the profile's minimumTtl
  | 'admin-down-local'; // our session is AdminDown: received packets are discarded (§6.8.6)

export type DecodeResult = { ok: true; value: ControlPacket; bytesRead: number } | { ok: false; reason: DropReason };

export function controlLength(p: ControlPacket): number {
  return CONTROL_HEADER_LENGTH + (p.auth ? 2 + p.auth.data.length : 0);
}

/** Writes `p` at `offset`; returns bytes written. Throws RangeError for values that do not fit a field. */
export function encodeControl(p: ControlPacket, buf: Uint8Array, offset: number): number {
  const len = controlLength(p);
  if (len > 255) throw new RangeError(`BFD control packet length ${len} exceeds 255`);
  checkUint('version', p.version, 7);
  checkUint('diag', p.diag, 31);
  checkUint('detectMult', p.detectMult, 255);
  for (const f of ['myDiscriminator', 'yourDiscriminator', 'desiredMinTxInterval', 'requiredMinRxInterval', 'requiredMinEchoRxInterval'] as const) {
    checkUint(f, p[f], 0xffffffff);
  }
  if (p.auth) checkUint('auth.type', p.auth.type, 255);
  if (buf.length - offset < len) throw new RangeError(`buffer too small for a ${len}-byte BFD control packet`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  view.setUint8(offset, (p.version << 5) | p.diag);
  view.setUint8(
    offset + 1,
    (STATE_CODES[p.state] << 6) |
      (p.poll ? 0x20 : 0) |
      (p.final ? 0x10 : 0) |
      (p.controlPlaneIndependent ? 0x08 : 0) |
      (p.auth ? 0x04 : 0) |
      (p.demand ? 0x02 : 0) |
      (p.multipoint ? 0x01 : 0),
  );
  view.setUint8(offset + 2, p.detectMult);
  view.setUint8(offset + 3, len);
  view.setUint32(offset + 4, p.myDiscriminator);
  view.setUint32(offset + 8, p.yourDiscriminator);
  view.setUint32(offset + 12, p.desiredMinTxInterval);
  view.setUint32(offset + 16, p.requiredMinRxInterval);
  view.setUint32(offset + 20, p.requiredMinEchoRxInterval);
  if (p.auth) {
    view.setUint8(offset + 24, p.auth.type);
    view.setUint8(offset + 25, 2 + p.auth.data.length);
    buf.set(p.auth.data, offset + 26);
  }
  return len;
}

export function encodeControlPacket(p: ControlPacket): Uint8Array {
  const buf = new Uint8Array(controlLength(p));
  encodeControl(p, buf, 0);
  return buf;
}

/**
 * Decodes the packet at `offset`, where the rest of `view` is the UDP payload, applying the §6.8.6 checks
 * that need no session (version, lengths, detect mult, M bit, discriminators).
 */
export function decodeControl(view: Uint8Array, offset: number): DecodeResult {
  const available = view.length - offset;
  if (available < CONTROL_HEADER_LENGTH) return { ok: false, reason: 'truncated' };
  const dv = new DataView(view.buffer, view.byteOffset + offset, available);
  const b0 = dv.getUint8(0);
  const b1 = dv.getUint8(1);
  const version = b0 >> 5;
  if (version !== 1) return { ok: false, reason: 'bad-version' };
  const authPresent = (b1 & 0x04) !== 0;
  const length = dv.getUint8(3);
  if (length < (authPresent ? CONTROL_HEADER_LENGTH + 2 : CONTROL_HEADER_LENGTH)) return { ok: false, reason: 'bad-length' };
  if (length > available) return { ok: false, reason: 'length-exceeds-payload' };
  const detectMult = dv.getUint8(2);
  if (detectMult === 0) return { ok: false, reason: 'zero-detect-mult' };
  const multipoint = (b1 & 0x01) !== 0;
  if (multipoint) return { ok: false, reason: 'multipoint' };
  const myDiscriminator = dv.getUint32(4);
  if (myDiscriminator === 0) return { ok: false, reason: 'zero-my-discriminator' };
  const yourDiscriminator = dv.getUint32(8);
  const state = STATES[b1 >> 6] ?? 'AdminDown';
  if (yourDiscriminator === 0 && state !== 'Down' && state !== 'AdminDown') {
    return { ok: false, reason: 'zero-your-discriminator-not-down' };
  }
  let auth: BfdAuth | undefined;
  if (authPresent) {
    const authLen = dv.getUint8(25);
    if (authLen < 2 || CONTROL_HEADER_LENGTH + authLen !== length) return { ok: false, reason: 'bad-length' };
    auth = { type: dv.getUint8(24), data: Uint8Array.from(view.subarray(offset + 26, offset + CONTROL_HEADER_LENGTH + authLen)) };
  }
  const value: ControlPacket = {
    version,
    diag: b0 & 0x1f,
    state,
    poll: (b1 & 0x20) !== 0,
    final: (b1 & 0x10) !== 0,
    controlPlaneIndependent: (b1 & 0x08) !== 0,
    demand: (b1 & 0x02) !== 0,
    multipoint,
    detectMult,
    myDiscriminator,
    yourDiscriminator,
    desiredMinTxInterval: dv.getUint32(12),
    requiredMinRxInterval: dv.getUint32(16),
    requiredMinEchoRxInterval: dv.getUint32(20),
    ...(auth ? { auth } : {}),
  };
  return { ok: true, value, bytesRead: length };
}

function checkUint(field: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`BFD ${field} must be an integer in 0..${max}, got ${v}`);
}
