// Netlink headers and most attributes are in the host's byte order (network order only where a field says
// so, e.g. ports). These helpers read and write it; the order is detected once from a typed array (pure);
// HOST_LE is that order, for writers that keep one DataView.
export const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function hostU16(b: Uint8Array, o: number): number {
  return new DataView(b.buffer, b.byteOffset + o, 2).getUint16(0, HOST_LE);
}

export function hostU32(b: Uint8Array, o: number): number {
  return new DataView(b.buffer, b.byteOffset + o, 4).getUint32(0, HOST_LE);
}

export function hostI32(b: Uint8Array, o: number): number {
  return new DataView(b.buffer, b.byteOffset + o, 4).getInt32(0, HOST_LE);
}

export function setHostU16(b: Uint8Array, o: number, v: number): void {
  new DataView(b.buffer, b.byteOffset + o, 2).setUint16(0, v, HOST_LE);
}

export function setHostU32(b: Uint8Array, o: number, v: number): void {
  new DataView(b.buffer, b.byteOffset + o, 4).setUint32(0, v, HOST_LE);
}

export function setHostI32(b: Uint8Array, o: number, v: number): void {
  new DataView(b.buffer, b.byteOffset + o, 4).setInt32(0, v, HOST_LE);
}

/** NLMSG_ALIGN / NLA_ALIGN: 4 octets. */
export function align4(n: number): number {
  return (n + 3) & ~3;
}
