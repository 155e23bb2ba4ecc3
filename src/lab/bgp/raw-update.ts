// Hand-made UPDATE bytes for the malformed-UPDATE test: attributes as (flags, type, value) triples and
// lengths that can be overridden, so each malformation is one visible edit of a valid message.

export const ORIGIN = 1;
export const AS_PATH = 2;
export const NEXT_HOP = 3;
export const MULTI_EXIT_DISC = 4;
export const ATOMIC_AGGREGATE = 6;
export const AGGREGATOR = 7;
export const COMMUNITIES = 8;
export const MP_REACH_NLRI = 14;
export const LARGE_COMMUNITIES = 32;

export const WELL_KNOWN = 0x40; // transitive
export const OPTIONAL = 0x80;
export const OPTIONAL_TRANSITIVE = 0xc0;

/** One path attribute: flags, type, then a 1-octet length (or 2 with the Extended Length bit). */
export function attr(flags: number, type: number, value: readonly number[], lengthOverride?: number): number[] {
  const len = lengthOverride ?? value.length;
  if (flags & 0x10) return [flags, type, len >> 8, len & 0xff, ...value];
  return [flags, type, len, ...value];
}

export interface RawUpdateParts {
  withdrawn?: readonly number[];
  attributes: readonly number[][];
  nlri?: readonly number[];
  /** Total Path Attribute Length to write instead of the real one. */
  totalAttributeLength?: number;
  /** Header length to write instead of the real one. */
  messageLength?: number;
  /** Replace the 16-octet marker. */
  marker?: readonly number[];
}

export function rawUpdate(p: RawUpdateParts): Uint8Array {
  const withdrawn = p.withdrawn ?? [];
  const attrs = p.attributes.flat();
  const nlri = p.nlri ?? [];
  const tal = p.totalAttributeLength ?? attrs.length;
  const body = [withdrawn.length >> 8, withdrawn.length & 0xff, ...withdrawn, tal >> 8, tal & 0xff, ...attrs, ...nlri];
  const len = p.messageLength ?? 19 + body.length;
  return Uint8Array.from([...(p.marker ?? Array(16).fill(0xff)), len >> 8, len & 0xff, 2, ...body]);
}

/** A 4-octet-AS AS_PATH with one AS_SEQUENCE. */
export function asPath4(asns: number[]): number[] {
  return [2, asns.length, ...asns.flatMap((a) => [(a >>> 24) & 0xff, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff])];
}

export const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
