// ROUTE-REFRESH (RFC 2918 §3, RFC 7313 §3): AFI (2), subtype (1; "reserved" in RFC 2918), SAFI (1).
// RFC 7313 §5: a BoRR/EoRR (subtype 1/2) whose body is not 4 octets is a ROUTE-REFRESH Message Error /
// Invalid Message Length. A longer subtype-0 body carries ORF entries (RFC 5291), kept raw.
import { BgpError, ErrorCode, RouteRefreshSubcode } from '../../errors.ts';
import { checkUint, readU16, writeU16 } from '../../../wire/bytes.ts';
import type { BodyCodec, RouteRefresh } from '../model.ts';

export const routeRefreshBody: BodyCodec<RouteRefresh> = {
  decode(buf, offset, length) {
    // length >= 4 is guaranteed by the per-type minimum in message.ts.
    const afi = readU16(buf, offset);
    const subtype = buf[offset + 2] as number;
    const safi = buf[offset + 3] as number;
    const msg: RouteRefresh = { type: 'ROUTE-REFRESH', afi, safi, subtype };
    if (length > 4) {
      if (subtype === 1 || subtype === 2) {
        throw new BgpError(
          ErrorCode.RouteRefreshMessage,
          RouteRefreshSubcode.InvalidMessageLength,
          `ROUTE-REFRESH subtype ${subtype}: body of ${length} octets, expected 4 (RFC 7313 §5)`,
          { data: buf.slice(Math.max(0, offset - 19), offset + length) },
        );
      }
      msg.orf = buf.slice(offset + 4, offset + length);
    }
    return msg;
  },
  write(v, buf, offset) {
    checkUint(v.afi, 16, 'ROUTE-REFRESH afi');
    checkUint(v.subtype, 8, 'ROUTE-REFRESH subtype');
    checkUint(v.safi, 8, 'ROUTE-REFRESH safi');
    writeU16(buf, offset, v.afi);
    buf[offset + 2] = v.subtype;
    buf[offset + 3] = v.safi;
    if (v.orf) buf.set(v.orf, offset + 4);
    return 4 + (v.orf?.length ?? 0);
  },
  length: (v) => 4 + (v.orf?.length ?? 0),
};
