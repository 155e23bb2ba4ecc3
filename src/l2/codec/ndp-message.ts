// The checks every Neighbor Discovery message of this codec shares before its body is read: the bytes
// are there (24 octets at least: type, code, checksum, a 32-bit word, the target address), the ICMPv6
// type is the expected one, the code is 0 (RFC 4861 §7.1) and the checksum matches the pseudo-header.
import { DecodeError, need } from '../../wire/index.ts';
import { icmpv6Checksum, type NdpContext } from './icmpv6-checksum.ts';

/** Checks the message at `offset` and returns where it ends (`ctx.messageLength`, default: end of `buf`). */
export function checkNdpMessage(buf: Uint8Array, offset: number, ctx: NdpContext, type: number, name: string): number {
  const end = ctx.messageLength === undefined ? buf.length : offset + ctx.messageLength;
  need(buf, offset, end - offset, name);
  need(buf.subarray(0, end), offset, 24, name);
  if (buf[offset] !== type)
    throw new DecodeError('ndp-unexpected-type', `${name}: ICMPv6 type ${buf[offset]}, expected ${type}`, offset);
  if (buf[offset + 1] !== 0)
    throw new DecodeError(
      'ndp-bad-code',
      `${name}: ICMPv6 code ${buf[offset + 1]}, expected 0 (RFC 4861 §7.1)`,
      offset + 1,
    );
  if (icmpv6Checksum(ctx.source, ctx.destination, buf.subarray(offset, end)) !== 0) {
    throw new DecodeError(
      'icmpv6-bad-checksum',
      `${name}: ICMPv6 checksum does not match the IPv6 pseudo-header ${ctx.source} → ${ctx.destination}`,
      offset + 2,
    );
  }
  return end;
}
