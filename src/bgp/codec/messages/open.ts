// OPEN message body (RFC 4271 §4.2): version, My Autonomous System, Hold Time, BGP Identifier, optional
// parameters. Capabilities travel in optional parameters of type 2 (RFC 5492); when they exceed 255 octets
// the RFC 9072 extended optional parameters length format is used (and understood on decode).
// Errors: RFC 4271 §6.2 OPEN Message Errors (always session-reset).
import { BgpError, ErrorCode, OpenSubcode } from '../../errors.ts';
import { checkUint, readU16, readU32, writeU16, writeU32 } from '../../../wire/bytes.ts';
import { capabilityCodec, decodeCapabilities } from '../capabilities/capability.ts';
import { OptionalParameterType } from '../constants.ts';
import type { BodyCodec, Capability, CodecContext, Open } from '../model.ts';

const FIXED = 10; // version 1 + AS 2 + hold 2 + id 4 + opt len 1

function openError(subcode: number, why: string, data?: Uint8Array): BgpError {
  return new BgpError(ErrorCode.OpenMessage, subcode, `OPEN: ${why}`, data ? { data } : {});
}

function capabilitiesLength(caps: readonly Capability[], ctx: CodecContext): number {
  let n = 0;
  for (const c of caps) n += capabilityCodec.length(c, ctx);
  return n;
}

/**
 * All capabilities go in one Capabilities optional parameter. When it does not fit the 1-octet lengths
 * (more than 253 octets of capabilities) the RFC 9072 format is used: non-extended length 255, type 255,
 * a 2-octet extended length, and 2-octet parameter lengths.
 */
function layout(v: Open, ctx: CodecContext): { caps: number; extended: boolean; paramsLength: number } {
  const caps = capabilitiesLength(v.capabilities, ctx);
  if (v.capabilities.length === 0) return { caps, extended: false, paramsLength: 0 };
  if (caps + 2 <= 255) return { caps, extended: false, paramsLength: caps + 2 };
  return { caps, extended: true, paramsLength: caps + 3 };
}

export const openBody: BodyCodec<Open> = {
  decode(buf, offset, length, ctx) {
    if (length < FIXED) throw openError(OpenSubcode.Unspecific, `body of ${length} octets is shorter than 10`);
    const version = buf[offset] as number;
    if (version !== 4) {
      // Data: the largest locally supported version (RFC 4271 §6.2).
      throw openError(OpenSubcode.UnsupportedVersionNumber, `version ${version} is not 4`, new Uint8Array([0, 4]));
    }
    const myAsn = readU16(buf, offset + 1);
    if (myAsn === 0) throw openError(OpenSubcode.BadPeerAs, 'My Autonomous System is 0 (RFC 7607)');
    const holdTime = readU16(buf, offset + 3);
    if (holdTime === 1 || holdTime === 2) {
      throw openError(OpenSubcode.UnacceptableHoldTime, `hold time ${holdTime} s (must be 0 or at least 3)`);
    }
    const bgpId = readU32(buf, offset + 5);
    if (bgpId === 0) throw openError(OpenSubcode.BadBgpIdentifier, 'BGP Identifier is 0.0.0.0 (RFC 6286 §2.2)');
    const end = offset + length;
    let optLen = buf[offset + 9] as number;
    let p = offset + FIXED;
    let extended = false;
    if (optLen === 255 && length > FIXED && buf[p] === OptionalParameterType.ExtendedLength) {
      // RFC 9072 §2 extended format.
      if (length < FIXED + 3) throw openError(OpenSubcode.Unspecific, 'extended optional parameters length truncated');
      optLen = readU16(buf, p + 1);
      p += 3;
      extended = true;
    }
    if (p + optLen !== end) {
      throw openError(
        OpenSubcode.Unspecific,
        `optional parameters length ${optLen} does not match the ${end - p} octets after the fixed fields`,
      );
    }
    const capabilities: Capability[] = [];
    const hdr = extended ? 3 : 2;
    while (p < end) {
      if (end - p < hdr)
        throw openError(OpenSubcode.Unspecific, `optional parameter at offset ${p - offset}: truncated`);
      const type = buf[p] as number;
      const plen = extended ? readU16(buf, p + 1) : (buf[p + 1] as number);
      const body = p + hdr;
      if (body + plen > end) {
        throw openError(OpenSubcode.Unspecific, `optional parameter ${type}: length ${plen} overruns the message`);
      }
      if (type !== OptionalParameterType.Capabilities) {
        throw openError(OpenSubcode.UnsupportedOptionalParameter, `optional parameter type ${type} is not supported`);
      }
      capabilities.push(...decodeCapabilities(buf, body, body + plen, ctx));
      p = body + plen;
    }
    return { type: 'OPEN', version, myAsn, holdTime, bgpId, capabilities };
  },

  write(v, buf, offset, ctx) {
    checkUint(v.version, 8, 'OPEN version');
    checkUint(v.myAsn, 16, 'OPEN myAsn (use AS_TRANS 23456 for a 4-octet AS)');
    checkUint(v.holdTime, 16, 'OPEN holdTime');
    checkUint(v.bgpId, 32, 'OPEN bgpId');
    const { caps, extended, paramsLength } = layout(v, ctx);
    buf[offset] = v.version;
    writeU16(buf, offset + 1, v.myAsn);
    writeU16(buf, offset + 3, v.holdTime);
    writeU32(buf, offset + 5, v.bgpId);
    let p = offset + FIXED;
    if (extended) {
      if (paramsLength > 0xffff) throw new RangeError(`OPEN optional parameters of ${paramsLength} octets`);
      buf[offset + 9] = 255;
      buf[p] = OptionalParameterType.ExtendedLength;
      writeU16(buf, p + 1, paramsLength);
      buf[p + 3] = OptionalParameterType.Capabilities;
      writeU16(buf, p + 4, caps);
      p += 6;
    } else {
      buf[offset + 9] = paramsLength;
      if (v.capabilities.length > 0) {
        buf[p] = OptionalParameterType.Capabilities;
        buf[p + 1] = caps;
        p += 2;
      }
    }
    for (const c of v.capabilities) p += capabilityCodec.write(c, buf, p, ctx);
    return p - offset;
  },

  length(v, ctx) {
    const { extended, paramsLength } = layout(v, ctx);
    return FIXED + (extended ? 3 : 0) + paramsLength;
  },
};
