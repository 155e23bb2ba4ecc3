// Neighbor Advertisement (RFC 4861 §4.4): ICMPv6 type 136, the R/S/O flags, the target address, options.
import { encodeWith, readU32, writeU16, writeU32, type Codec, type Decoded } from '../../wire/index.ts';
import { icmpv6Checksum, type NdpContext } from './icmpv6-checksum.ts';
import { checkNdpMessage } from './ndp-message.ts';
import { readIpv6, writeIpv6 } from './ip-bytes.ts';
import { decodeNdpOptions, ndpOptionsLength, writeNdpOptions, type NdpOption } from './ndp-option.ts';

export const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;

export interface NeighborAdvertisement {
  type: 'neighbor-advertisement';
  /** R: the sender is a router. */
  router: boolean;
  /** S: a reply to a Neighbor Solicitation. */
  solicited: boolean;
  /** O: replace an existing cached link-layer address. */
  override: boolean;
  /** The 29 reserved bits after the flags, kept so captured frames re-encode byte for byte. */
  reserved: number;
  targetAddress: string;
  options: NdpOption[];
}

/** ctx: the enclosing IPv6 addresses (for the checksum) and the message length (default: to the end of `buf`). */
export function decodeNeighborAdvertisement(
  buf: Uint8Array,
  offset: number,
  ctx: NdpContext,
): Decoded<NeighborAdvertisement> {
  const end = checkNdpMessage(buf, offset, ctx, ICMPV6_NEIGHBOR_ADVERTISEMENT, 'Neighbor Advertisement');
  const word = readU32(buf, offset + 4);
  const targetAddress = readIpv6(buf, offset + 8);
  const options = decodeNdpOptions(buf, offset + 24, end);
  return {
    value: {
      type: 'neighbor-advertisement',
      router: (word & 0x80000000) !== 0,
      solicited: (word & 0x40000000) !== 0,
      override: (word & 0x20000000) !== 0,
      reserved: word & 0x1fffffff,
      targetAddress,
      options,
    },
    bytesRead: end - offset,
  };
}

export function neighborAdvertisementLength(value: NeighborAdvertisement): number {
  return 24 + ndpOptionsLength(value.options);
}

export function writeNeighborAdvertisement(
  value: NeighborAdvertisement,
  buf: Uint8Array,
  offset: number,
  ctx: NdpContext,
): number {
  const len = neighborAdvertisementLength(value);
  buf.fill(0, offset, offset + 8);
  buf[offset] = ICMPV6_NEIGHBOR_ADVERTISEMENT;
  writeU32(
    buf,
    offset + 4,
    ((value.router ? 0x80000000 : 0) |
      (value.solicited ? 0x40000000 : 0) |
      (value.override ? 0x20000000 : 0) |
      (value.reserved & 0x1fffffff)) >>>
      0,
  );
  writeIpv6(buf, offset + 8, value.targetAddress);
  writeNdpOptions(value.options, buf, offset + 24);
  writeU16(buf, offset + 2, icmpv6Checksum(ctx.source, ctx.destination, buf.subarray(offset, offset + len)));
  return len;
}

export function encodeNeighborAdvertisement(value: NeighborAdvertisement, ctx: NdpContext): Uint8Array {
  return encodeWith(neighborAdvertisementCodec, value, ctx);
}

export const neighborAdvertisementCodec: Codec<NeighborAdvertisement, NdpContext> = {
  decode: decodeNeighborAdvertisement,
  write: writeNeighborAdvertisement,
  length: neighborAdvertisementLength,
};
