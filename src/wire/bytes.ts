// Big-endian reads and writes on Uint8Array, hex helpers and addresses as bigints: the byte helpers every
// codec (BGP, BFD, memberlist, ARP, NDP) shares. Callers check bounds first (see need() in codec.ts).

export function readU16(b: Uint8Array, o: number): number {
  return ((b[o] as number) << 8) | (b[o + 1] as number);
}

export function readU32(b: Uint8Array, o: number): number {
  return (
    (((b[o] as number) << 24) >>> 0) +
    (((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number))
  );
}

export function writeU16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

export function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/** Reads `n` bytes as an unsigned big-endian bigint. */
export function readBig(b: Uint8Array, o: number, n: number): bigint {
  let v = 0n;
  let i = 0;
  for (; i + 4 <= n; i += 4) v = (v << 32n) | BigInt(readU32(b, o + i));
  for (; i < n; i++) v = (v << 8n) | BigInt(b[o + i] as number);
  return v;
}

/** Writes the low `n` bytes of `v` big-endian. */
export function writeBig(b: Uint8Array, o: number, n: number, v: bigint): void {
  let x = v;
  let i = n - 1;
  for (; i >= 3; i -= 4) {
    writeU32(b, o + i - 3, Number(x & 0xffffffffn));
    x >>= 32n;
  }
  for (; i >= 0; i--) {
    b[o + i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not an even-length hex string: "${text}"`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export function isU8(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xff;
}
export function isU16(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xffff;
}
export function isU32(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

/** Throws a RangeError naming the field when `v` is not an unsigned integer of `bits` bits. */
export function checkUint(v: number, bits: 8 | 16 | 32, what: string): void {
  const ok = bits === 8 ? isU8(v) : bits === 16 ? isU16(v) : isU32(v);
  if (!ok) throw new RangeError(`${what}: ${v} is not an unsigned ${bits}-bit integer`);
}
