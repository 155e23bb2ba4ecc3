export * from './bytes.ts';
export { DecodeError, encodeWith, need, type Codec, type Decoded } from './codec.ts';
