// BFD Control packet codec (RFC 5880 §4.1/§4.2) with the packet-level checks of §6.8.6, in the one codec
// model (src/wire/codec.ts): decodeControl throws a DecodeError whose `code` is the reason the packet is
// discarded (a DropReason, counted by the session); writeControl writes into a buffer, encodeControl
// allocates, controlLength says how long.
import { DecodeError, encodeWith, need, type Codec, type Decoded } from '../../wire/index.ts';
import { STATE_CODES, STATES } from './types.ts';
import type { BfdAuth, ControlPacket } from './types.ts';

/** Mandatory section length. */
export const CONTROL_HEADER_LENGTH = 24;

/** Why decodeControl refuses a packet: the DecodeError codes it throws (RFC 5880 §6.8.6, packet level). */
export type ControlDecodeCode =
  | 'truncated' // fewer bytes than the mandatory section
  | 'bad-version' // Version is not 1
  | 'bad-length' // Length < 24, < 26 with A set, or inconsistent auth length
  | 'length-exceeds-payload' // Length larger than the UDP payload
  | 'zero-detect-mult'
  | 'multipoint' // M bit set
  | 'zero-my-discriminator'
  | 'zero-your-discriminator-not-down'; // Your Discriminator 0 while State is not Down/AdminDown

/** Why a received packet is discarded (RFC 5880 §6.8.6 rules, plus RFC 5881 §5 for TTL). */
export type DropReason =
  | ControlDecodeCode
  | 'unknown-your-discriminator' // no session has that local discriminator
  | 'auth-not-configured' // A bit set, no authentication in use
  | 'auth-missing' // A bit clear, authentication in use
  | 'bad-ttl' // single hop: TTL / hop limit not 255; multihop: below the profile's minimumTtl
  | 'admin-down-local'; // our session is AdminDown: received packets are discarded (§6.8.6)

/** Throws the DecodeError for a refused packet; `code` is the drop reason. */
function refuse(code: ControlDecodeCode, why: string, offset: number): never {
  throw new DecodeError(code, `BFD control packet: ${why}`, offset);
}

export function controlLength(p: ControlPacket): number {
  return CONTROL_HEADER_LENGTH + (p.auth ? 2 + p.auth.data.length : 0);
}

/** Writes `p` at `offset`; returns bytes written. Throws RangeError for values that do not fit a field. */
export function writeControl(p: ControlPacket, buf: Uint8Array, offset: number): number {
  const len = controlLength(p);
  if (len > 255) throw new RangeError(`BFD control packet length ${len} exceeds 255`);
  checkUint('version', p.version, 7);
  checkUint('diag', p.diag, 31);
  checkUint('detectMult', p.detectMult, 255);
  for (const f of [
    'myDiscriminator',
    'yourDiscriminator',
    'desiredMinTxInterval',
    'requiredMinRxInterval',
    'requiredMinEchoRxInterval',
  ] as const) {
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

/** The Control packet codec, for dispatch tables and the generic round-trip test. */
export const controlCodec: Codec<ControlPacket, undefined> = {
  decode: (buf, offset) => decodeControl(buf, offset),
  write: (value, buf, offset) => writeControl(value, buf, offset),
  length: (value) => controlLength(value),
};

/** Allocates and writes one Control packet. */
export function encodeControl(p: ControlPacket): Uint8Array {
  return encodeWith(controlCodec, p, undefined);
}

/**
 * Decodes the packet at `offset`, where the rest of `view` is the UDP payload, applying the §6.8.6 checks
 * that need no session (version, lengths, detect mult, M bit, discriminators). Throws a DecodeError whose
 * `code` (a ControlDecodeCode) says why the packet must be discarded.
 */
export function decodeControl(view: Uint8Array, offset: number): Decoded<ControlPacket> {
  need(view, offset, CONTROL_HEADER_LENGTH, 'BFD control packet');
  const available = view.length - offset;
  const dv = new DataView(view.buffer, view.byteOffset + offset, available);
  const b0 = dv.getUint8(0);
  const b1 = dv.getUint8(1);
  const version = b0 >> 5;
  if (version !== 1) refuse('bad-version', `version ${version}, not 1`, offset);
  const authPresent = (b1 & 0x04) !== 0;
  const length = dv.getUint8(3);
  if (length < (authPresent ? CONTROL_HEADER_LENGTH + 2 : CONTROL_HEADER_LENGTH))
    refuse('bad-length', `Length ${length} too short${authPresent ? ' with the A bit set' : ''}`, offset + 3);
  if (length > available)
    refuse('length-exceeds-payload', `Length ${length} exceeds the ${available}-byte payload`, offset + 3);
  const detectMult = dv.getUint8(2);
  if (detectMult === 0) refuse('zero-detect-mult', 'Detect Mult is 0', offset + 2);
  const multipoint = (b1 & 0x01) !== 0;
  if (multipoint) refuse('multipoint', 'the M bit is set', offset + 1);
  const myDiscriminator = dv.getUint32(4);
  if (myDiscriminator === 0) refuse('zero-my-discriminator', 'My Discriminator is 0', offset + 4);
  const yourDiscriminator = dv.getUint32(8);
  const state = STATES[b1 >> 6] ?? 'AdminDown';
  if (yourDiscriminator === 0 && state !== 'Down' && state !== 'AdminDown') {
    refuse('zero-your-discriminator-not-down', `Your Discriminator is 0 in state ${state}`, offset + 8);
  }
  let auth: BfdAuth | undefined;
  if (authPresent) {
    const authLen = dv.getUint8(25);
    if (authLen < 2 || CONTROL_HEADER_LENGTH + authLen !== length)
      refuse('bad-length', `Auth Len ${authLen} does not match Length ${length}`, offset + 25);
    auth = {
      type: dv.getUint8(24),
      data: Uint8Array.from(view.subarray(offset + 26, offset + CONTROL_HEADER_LENGTH + authLen)),
    };
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
  return { value, bytesRead: length };
}

function checkUint(field: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max)
    throw new RangeError(`BFD ${field} must be an integer in 0..${max}, got ${v}`);
}
