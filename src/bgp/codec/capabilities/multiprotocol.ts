// RFC 4760 §8 Multiprotocol Extensions capability (code 1): AFI (2), reserved (1), SAFI (1).
import { checkUint, readU16, writeU16 } from '../../../wire/bytes.ts';
import type { BodyCodec, Capability } from '../model.ts';
import { malformedCapability } from './malformed.ts';

type Multiprotocol = Extract<Capability, { type: 'MULTIPROTOCOL' }>;

export const multiprotocolCapability: BodyCodec<Multiprotocol> = {
  decode(buf, offset, length) {
    if (length !== 4) throw malformedCapability('MULTIPROTOCOL', `length ${length}, expected 4`);
    return { type: 'MULTIPROTOCOL', afi: readU16(buf, offset), safi: buf[offset + 3] as number };
  },
  write(v, buf, offset) {
    checkUint(v.afi, 16, 'MULTIPROTOCOL afi');
    checkUint(v.safi, 8, 'MULTIPROTOCOL safi');
    writeU16(buf, offset, v.afi);
    buf[offset + 2] = 0;
    buf[offset + 3] = v.safi;
    return 4;
  },
  length: () => 4,
};
