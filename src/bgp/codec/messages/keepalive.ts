// KEEPALIVE (RFC 4271 §4.4): the header alone. Any body is a Bad Message Length (checked by message.ts).
import type { BodyCodec, Keepalive } from '../model.ts';

export const keepaliveBody: BodyCodec<Keepalive> = {
  decode: () => ({ type: 'KEEPALIVE' }),
  write: () => 0,
  length: () => 0,
};
