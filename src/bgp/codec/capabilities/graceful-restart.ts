// RFC 4724 §3 Graceful Restart capability (code 64): 4 bits restart flags (R = restart state, N = RFC 8538
// notification support), 12 bits restart time (s), then per AFI/SAFI: AFI (2), SAFI (1), flags (F bit).
import { checkUint, readU16, writeU16 } from '../../../wire/bytes.ts';
import type { BodyCodec, Capability } from '../model.ts';
import { malformedCapability } from './malformed.ts';

type GracefulRestart = Extract<Capability, { type: 'GRACEFUL_RESTART' }>;

const R_BIT = 0x8000;
const N_BIT = 0x4000;
const F_BIT = 0x80;

export const gracefulRestartCapability: BodyCodec<GracefulRestart> = {
  decode(buf, offset, length) {
    if (length < 2 || (length - 2) % 4 !== 0) {
      throw malformedCapability('GRACEFUL_RESTART', `length ${length} is not 2 + 4 × families`);
    }
    const head = readU16(buf, offset);
    const families: GracefulRestart['families'] = [];
    for (let p = offset + 2; p < offset + length; p += 4) {
      families.push({
        afi: readU16(buf, p),
        safi: buf[p + 2] as number,
        forwardingState: ((buf[p + 3] as number) & F_BIT) !== 0,
      });
    }
    return {
      type: 'GRACEFUL_RESTART',
      restartState: (head & R_BIT) !== 0,
      notification: (head & N_BIT) !== 0,
      restartTime: head & 0x0fff,
      families,
    };
  },
  write(v, buf, offset) {
    if (!Number.isInteger(v.restartTime) || v.restartTime < 0 || v.restartTime > 0xfff) {
      throw new RangeError(`GRACEFUL_RESTART restartTime ${v.restartTime} is not 0..4095`);
    }
    writeU16(buf, offset, (v.restartState ? R_BIT : 0) | (v.notification ? N_BIT : 0) | v.restartTime);
    let p = offset + 2;
    for (const f of v.families) {
      checkUint(f.afi, 16, 'GRACEFUL_RESTART afi');
      checkUint(f.safi, 8, 'GRACEFUL_RESTART safi');
      writeU16(buf, p, f.afi);
      buf[p + 2] = f.safi;
      buf[p + 3] = f.forwardingState ? F_BIT : 0;
      p += 4;
    }
    return p - offset;
  },
  length: (v) => 2 + 4 * v.families.length,
};
