// Neighbor Solicitation (RFC 4861 §4.3): ICMPv6 type 135, a reserved word, the target address, options.
import { encodeWith, readU32, writeU16, writeU32, type Codec, type Decoded } from '../../wire/index.ts';
import { icmpv6Checksum, type NdpContext } from './icmpv6-checksum.ts';
import { checkNdpMessage } from './ndp-message.ts';
import { readIpv6, writeIpv6 } from './ip-bytes.ts';
import { decodeNdpOptions, ndpOptionsLength, writeNdpOptions, type NdpOption } from './ndp-option.ts';

export const ICMPV6_NEIGHBOR_SOLICITATION = 135;

export interface NeighborSolicitation {
  type: 'neighbor-solicitation';
  /** The reserved word, kept so captured frames re-encode byte for byte (senders set 0). */
  reserved: number;
  targetAddress: string;
  options: NdpOption[];
}

/** ctx: the enclosing IPv6 addresses (for the checksum) and the message length (default: to the end of `buf`). */
export function decodeNeighborSolicitation(
  buf: Uint8Array,
  offset: number,
  ctx: NdpContext,
): Decoded<NeighborSolicitation> {
  const end = checkNdpMessage(buf, offset, ctx, ICMPV6_NEIGHBOR_SOLICITATION, 'Neighbor Solicitation');
  const word = readU32(buf, offset + 4);
  const targetAddress = readIpv6(buf, offset + 8);
  const options = decodeNdpOptions(buf, offset + 24, end);
  return { value: { type: 'neighbor-solicitation', reserved: word, targetAddress, options }, bytesRead: end - offset };
}

export function neighborSolicitationLength(value: NeighborSolicitation): number {
  return 24 + ndpOptionsLength(value.options);
}

export function writeNeighborSolicitation(
  value: NeighborSolicitation,
  buf: Uint8Array,
  offset: number,
  ctx: NdpContext,
): number {
  const len = neighborSolicitationLength(value);
  buf.fill(0, offset, offset + 8);
  buf[offset] = ICMPV6_NEIGHBOR_SOLICITATION;
  writeU32(buf, offset + 4, value.reserved >>> 0);
  writeIpv6(buf, offset + 8, value.targetAddress);
  writeNdpOptions(value.options, buf, offset + 24);
  writeU16(buf, offset + 2, icmpv6Checksum(ctx.source, ctx.destination, buf.subarray(offset, offset + len)));
  return len;
}

export function encodeNeighborSolicitation(value: NeighborSolicitation, ctx: NdpContext): Uint8Array {
  return encodeWith(neighborSolicitationCodec, value, ctx);
}

export const neighborSolicitationCodec: Codec<NeighborSolicitation, NdpContext> = {
  decode: decodeNeighborSolicitation,
  write: writeNeighborSolicitation,
  length: neighborSolicitationLength,
};
