// One capability TLV (RFC 5492 §4): code (1), length (1), value; the dispatch table by code. Unknown
// capabilities are kept raw (RFC 5492 §3: a speaker ignores capabilities it does not understand).
import { BgpError, ErrorCode, OpenSubcode } from '../../errors.ts';
import { checkUint } from '../../../wire/bytes.ts';
import { CapabilityCode } from '../constants.ts';
import type { BodyCodec, Capability, CapabilityType, CodecContext, Decoded, WireCodec } from '../model.ts';
import { fourOctetAsCapability } from './four-octet-as.ts';
import { gracefulRestartCapability } from './graceful-restart.ts';
import { multiprotocolCapability } from './multiprotocol.ts';
import { enhancedRouteRefreshCapability, routeRefreshCapability } from './route-refresh.ts';

type Known = Exclude<CapabilityType, 'UNKNOWN'>;

export const CAPABILITY_TABLE: {
  readonly [K in Known]: { code: number; codec: BodyCodec<Extract<Capability, { type: K }>> };
} = {
  MULTIPROTOCOL: { code: CapabilityCode.MULTIPROTOCOL, codec: multiprotocolCapability },
  ROUTE_REFRESH: { code: CapabilityCode.ROUTE_REFRESH, codec: routeRefreshCapability },
  ENHANCED_ROUTE_REFRESH: { code: CapabilityCode.ENHANCED_ROUTE_REFRESH, codec: enhancedRouteRefreshCapability },
  FOUR_OCTET_AS: { code: CapabilityCode.FOUR_OCTET_AS, codec: fourOctetAsCapability },
  GRACEFUL_RESTART: { code: CapabilityCode.GRACEFUL_RESTART, codec: gracefulRestartCapability },
};

const BY_CODE = new Map<number, BodyCodec<Capability>>(
  Object.values(CAPABILITY_TABLE).map((e) => [e.code, e.codec as BodyCodec<Capability>]),
);

function codeOf(c: Capability): number {
  return c.type === 'UNKNOWN' ? c.code : CAPABILITY_TABLE[c.type].code;
}

function valueLength(c: Capability, ctx: CodecContext): number {
  if (c.type === 'UNKNOWN') return c.data.length;
  return (CAPABILITY_TABLE[c.type].codec as BodyCodec<Capability>).length(c, ctx);
}

export const capabilityCodec: WireCodec<Capability> = {
  decode(buf, offset, ctx): Decoded<Capability> {
    if (buf.length - offset < 2) {
      throw new BgpError(
        ErrorCode.OpenMessage,
        OpenSubcode.Unspecific,
        `capability at offset ${offset}: truncated header`,
      );
    }
    const code = buf[offset] as number;
    const length = buf[offset + 1] as number;
    if (offset + 2 + length > buf.length) {
      throw new BgpError(
        ErrorCode.OpenMessage,
        OpenSubcode.Unspecific,
        `capability ${code} at offset ${offset}: length ${length} overruns the optional parameter`,
      );
    }
    const codec = BY_CODE.get(code);
    const value: Capability = codec
      ? codec.decode(buf, offset + 2, length, ctx)
      : { type: 'UNKNOWN', code, data: buf.slice(offset + 2, offset + 2 + length) };
    return { value, bytesRead: 2 + length };
  },
  write(c, buf, offset, ctx) {
    const code = codeOf(c);
    checkUint(code, 8, 'capability code');
    const length = valueLength(c, ctx);
    if (length > 255) throw new RangeError(`capability ${code}: value of ${length} octets exceeds 255`);
    buf[offset] = code;
    buf[offset + 1] = length;
    if (c.type === 'UNKNOWN') buf.set(c.data, offset + 2);
    else (CAPABILITY_TABLE[c.type].codec as BodyCodec<Capability>).write(c, buf, offset + 2, ctx);
    return 2 + length;
  },
  length: (c, ctx) => 2 + valueLength(c, ctx),
};

/** Decodes capabilities filling exactly [offset, end) (one capabilities optional parameter). */
export function decodeCapabilities(buf: Uint8Array, offset: number, end: number, ctx: CodecContext): Capability[] {
  const view = buf.subarray(0, end);
  const out: Capability[] = [];
  let p = offset;
  while (p < end) {
    const r = capabilityCodec.decode(view, p, ctx);
    out.push(r.value);
    p += r.bytesRead;
  }
  return out;
}
