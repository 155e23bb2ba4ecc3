// RFC 5492 §5: when the peer lacks a capability this speaker requires, the OPEN is refused with OPEN
// Message Error / Unsupported Capability (2/7), the data listing the required capabilities (code, length,
// value each). Which capabilities are required is session policy; this builds the error.
import { unsupportedCapability, type BgpError } from '../../errors.ts';
import type { Capability, CodecContext, Open } from '../model.ts';
import { capabilityCodec } from './capability.ts';

function sameCapability(a: Capability, b: Capability): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'MULTIPROTOCOL' && b.type === 'MULTIPROTOCOL') return a.afi === b.afi && a.safi === b.safi;
  if (a.type === 'UNKNOWN' && b.type === 'UNKNOWN') return a.code === b.code;
  return true;
}

/** Wire form of a list of capabilities (for NOTIFICATION data). */
export function encodeCapabilities(caps: readonly Capability[], ctx: CodecContext): Uint8Array {
  let n = 0;
  for (const c of caps) n += capabilityCodec.length(c, ctx);
  const out = new Uint8Array(n);
  let p = 0;
  for (const c of caps) p += capabilityCodec.write(c, out, p, ctx);
  return out;
}

/**
 * The 2/7 error for the required capabilities the peer's OPEN lacks (MULTIPROTOCOL compared by AFI/SAFI,
 * others by type), or undefined when it has them all.
 */
export function missingCapabilities(
  open: Open,
  required: readonly Capability[],
  ctx: CodecContext,
): BgpError | undefined {
  const missing = required.filter((r) => !open.capabilities.some((c) => sameCapability(c, r)));
  if (missing.length === 0) return undefined;
  const names = missing.map((m) => (m.type === 'MULTIPROTOCOL' ? `MULTIPROTOCOL ${m.afi}/${m.safi}` : m.type));
  return unsupportedCapability(
    `OPEN: peer lacks required capabilities ${names.join(', ')}`,
    encodeCapabilities(missing, ctx),
  );
}
