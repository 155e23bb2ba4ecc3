import { BgpError, ErrorCode, OpenSubcode } from '../../errors.ts';

/** A capability whose value cannot be parsed. RFC 5492 defines no subcode for it; OPEN/0 is used. */
export function malformedCapability(name: string, why: string): BgpError {
  return new BgpError(ErrorCode.OpenMessage, OpenSubcode.Unspecific, `${name} capability: ${why}`);
}
