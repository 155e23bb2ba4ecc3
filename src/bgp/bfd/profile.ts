// BFDProfile (src/config/model.ts, milliseconds, MetalLB semantics) → the state machine's timers (µs).
import type { BfdProfile } from '../../config/model.ts';
import type { BfdTimerConfig } from './fsm.ts';

/** MetalLB's BFDProfile defaults (and FRR's): 300 ms both ways, multiplier 3, active. */
export const DEFAULT_BFD_PROFILE: BfdProfile = {
  name: 'default',
  receiveInterval: 300, // ms: tolerates a busy control plane while detecting failure in about 1 s
  transmitInterval: 300, // ms: same as receive so both directions agree on the rate
  detectMultiplier: 3, // three lost packets in a row mean the path is down
  echoInterval: 50, // ms: unused (no Echo function here)
  echoMode: false, // Echo needs the peer to loop packets back; not implemented
  passiveMode: false, // actively start the session
  minimumTtl: 254, // multihop only; single hop always requires 255 (RFC 5881 §5)
};

/** Converts and checks a profile; throws RangeError naming the profile and field. */
export function timersFromProfile(p: BfdProfile): BfdTimerConfig {
  const check = (field: keyof BfdProfile, v: number, min: number, max: number): void => {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`BFDProfile ${p.name}: ${String(field)} must be an integer in ${min}..${max}, got ${v}`);
    }
  };
  // MetalLB's CRD bounds: intervals 10..60000 ms, multiplier 2..255.
  check('receiveInterval', p.receiveInterval, 10, 60_000);
  check('transmitInterval', p.transmitInterval, 10, 60_000);
  check('detectMultiplier', p.detectMultiplier, 2, 255);
  return {
    desiredMinTxInterval: p.transmitInterval * 1000,
    requiredMinRxInterval: p.receiveInterval * 1000,
    detectMult: p.detectMultiplier,
    passive: p.passiveMode,
  };
}
