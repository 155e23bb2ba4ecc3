// Neighbor Discovery options (RFC 4861 §4.6): type, length in units of 8 octets, value. The source and
// target link-layer address options (types 1 and 2) of length 1 carry an Ethernet MAC; every other option
// (nonce, MTU, prefix information, ...) is kept as opaque data so frames re-encode byte for byte.
import { checkUint, DecodeError, need, type Codec, type Decoded } from '../../wire/index.ts';
import { readMac, writeMac } from './mac.ts';

export const OPTION_SOURCE_LINK_LAYER_ADDRESS = 1;
export const OPTION_TARGET_LINK_LAYER_ADDRESS = 2;

export type NdpOption =
  | { kind: 'source-link-layer-address'; address: string }
  | { kind: 'target-link-layer-address'; address: string }
  /** `data`: the option after its type and length octets ((length × 8) − 2 octets). */
  | { kind: 'other'; type: number; data: Uint8Array };

export function decodeNdpOption(buf: Uint8Array, offset: number): Decoded<NdpOption> {
  need(buf, offset, 2, 'NDP option');
  const type = buf[offset] as number;
  const units = buf[offset + 1] as number;
  if (units === 0)
    throw new DecodeError(
      'ndp-option-zero-length',
      `NDP option type ${type}: length 0 (RFC 4861 §4.6: discard the packet)`,
      offset,
    );
  const len = units * 8;
  need(buf, offset, len, `NDP option type ${type}`);
  if (units === 1 && (type === OPTION_SOURCE_LINK_LAYER_ADDRESS || type === OPTION_TARGET_LINK_LAYER_ADDRESS)) {
    const kind = type === OPTION_SOURCE_LINK_LAYER_ADDRESS ? 'source-link-layer-address' : 'target-link-layer-address';
    return { value: { kind, address: readMac(buf, offset + 2) }, bytesRead: 8 };
  }
  return { value: { kind: 'other', type, data: buf.slice(offset + 2, offset + len) }, bytesRead: len };
}

export function ndpOptionLength(value: NdpOption): number {
  return value.kind === 'other' ? value.data.length + 2 : 8;
}

export function writeNdpOption(value: NdpOption, buf: Uint8Array, offset: number): number {
  if (value.kind !== 'other') {
    buf[offset] =
      value.kind === 'source-link-layer-address' ? OPTION_SOURCE_LINK_LAYER_ADDRESS : OPTION_TARGET_LINK_LAYER_ADDRESS;
    buf[offset + 1] = 1;
    writeMac(buf, offset + 2, value.address);
    return 8;
  }
  checkUint(value.type, 8, 'NDP option type');
  const len = value.data.length + 2;
  if (len % 8 !== 0 || len > 255 * 8)
    throw new RangeError(`NDP option type ${value.type}: ${len} octets is not a multiple of 8 up to 2040`);
  buf[offset] = value.type;
  buf[offset + 1] = len / 8;
  buf.set(value.data, offset + 2);
  return len;
}

export const ndpOptionCodec: Codec<NdpOption> = {
  decode: decodeNdpOption,
  write: writeNdpOption,
  length: ndpOptionLength,
};

/** Options from `offset` to `end`. */
export function decodeNdpOptions(buf: Uint8Array, offset: number, end: number): NdpOption[] {
  const out: NdpOption[] = [];
  let o = offset;
  while (o < end) {
    const { value, bytesRead } = decodeNdpOption(buf.subarray(0, end), o);
    out.push(value);
    o += bytesRead;
  }
  return out;
}

export function writeNdpOptions(options: readonly NdpOption[], buf: Uint8Array, offset: number): number {
  let o = offset;
  for (const opt of options) o += writeNdpOption(opt, buf, o);
  return o - offset;
}

export function ndpOptionsLength(options: readonly NdpOption[]): number {
  let n = 0;
  for (const opt of options) n += ndpOptionLength(opt);
  return n;
}

/** The MAC in the first option of `kind`, if any. */
export function linkLayerAddress(
  options: readonly NdpOption[],
  kind: 'source-link-layer-address' | 'target-link-layer-address',
): string | undefined {
  for (const opt of options) if (opt.kind === kind) return opt.address;
  return undefined;
}
