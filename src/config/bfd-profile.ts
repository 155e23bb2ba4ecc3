// BFD profiles (legacy `bfd-profiles` entries and BFDProfile CRDs) with MetalLB's ranges and defaults.
import type { BfdProfile } from './model.ts';
import type { Fields } from './reader.ts';

type NumericField = 'receiveInterval' | 'transmitInterval' | 'detectMultiplier' | 'echoInterval' | 'minimumTtl';

/** Range and default of each numeric field (MetalLB api/v1beta1/bfdprofile_types.go, FRR defaults). */
export const BFD_LIMITS: Readonly<Record<NumericField, { min: number; max: number; default: number }>> = {
  receiveInterval: { min: 10, max: 60000, default: 300 }, // ms
  transmitInterval: { min: 10, max: 60000, default: 300 }, // ms
  detectMultiplier: { min: 2, max: 255, default: 3 },
  echoInterval: { min: 10, max: 60000, default: 50 }, // ms
  minimumTtl: { min: 1, max: 254, default: 254 },
};

export type BfdFieldNames = Readonly<Record<NumericField | 'echoMode' | 'passiveMode', string>>;

export const LEGACY_BFD_FIELDS: BfdFieldNames = {
  receiveInterval: 'receive-interval',
  transmitInterval: 'transmit-interval',
  detectMultiplier: 'detect-multiplier',
  echoInterval: 'echo-interval',
  minimumTtl: 'minimum-ttl',
  echoMode: 'echo-mode',
  passiveMode: 'passive-mode',
};

export const CRD_BFD_FIELDS: BfdFieldNames = {
  receiveInterval: 'receiveInterval',
  transmitInterval: 'transmitInterval',
  detectMultiplier: 'detectMultiplier',
  echoInterval: 'echoInterval',
  minimumTtl: 'minimumTtl',
  echoMode: 'echoMode',
  passiveMode: 'passiveMode',
};

/** Reads the profile settings from `f` (unknown fields were already checked by the caller's spec). */
export function readBfdSettings(f: Fields, name: string, names: BfdFieldNames): BfdProfile {
  const num = (k: NumericField): number => {
    const l = BFD_LIMITS[k];
    return f.int(names[k], l.min, l.max) ?? l.default;
  };
  return {
    name,
    receiveInterval: num('receiveInterval'),
    transmitInterval: num('transmitInterval'),
    detectMultiplier: num('detectMultiplier'),
    echoInterval: num('echoInterval'),
    echoMode: f.bool(names.echoMode) ?? false,
    passiveMode: f.bool(names.passiveMode) ?? false,
    minimumTtl: num('minimumTtl'),
  };
}
