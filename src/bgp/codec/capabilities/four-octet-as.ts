// RFC 6793 §3 Support for 4-octet AS number capability (code 65): the speaker's 4-octet AS.
import { BgpError, ErrorCode, OpenSubcode } from '../../errors.ts';
import { checkUint, readU32, writeU32 } from '../../../wire/bytes.ts';
import type { BodyCodec, Capability } from '../model.ts';
import { malformedCapability } from './malformed.ts';

type FourOctetAs = Extract<Capability, { type: 'FOUR_OCTET_AS' }>;

export const fourOctetAsCapability: BodyCodec<FourOctetAs> = {
  decode(buf, offset, length) {
    if (length !== 4) throw malformedCapability('FOUR_OCTET_AS', `length ${length}, expected 4`);
    const asn = readU32(buf, offset);
    // RFC 7607 §2: AS 0 in the OPEN (here the capability) is a Bad Peer AS error.
    if (asn === 0) {
      throw new BgpError(ErrorCode.OpenMessage, OpenSubcode.BadPeerAs, 'FOUR_OCTET_AS capability: AS 0 (RFC 7607)', {
        data: buf.slice(offset, offset + 4),
      });
    }
    return { type: 'FOUR_OCTET_AS', asn };
  },
  write(v, buf, offset) {
    checkUint(v.asn, 32, 'FOUR_OCTET_AS asn');
    writeU32(buf, offset, v.asn);
    return 4;
  },
  length: () => 4,
};
