// MULTI_EXIT_DISC (type 4, optional non-transitive, RFC 4271 §5.1.4): 4-octet metric.
// RFC 7606 §7.4: wrong length → treat-as-withdraw.
import { AttributeCode } from '../constants.ts';
import { type AttributeSpec, OPTIONAL_NON_TRANSITIVE } from './spec.ts';
import { u32Value } from './u32-value.ts';

export const multiExitDiscAttribute: AttributeSpec<'MULTI_EXIT_DISC'> = {
  type: 'MULTI_EXIT_DISC',
  code: AttributeCode.MULTI_EXIT_DISC,
  flags: OPTIONAL_NON_TRANSITIVE,
  flagsErrorHandling: 'treat-as-withdraw',
  codec: u32Value(
    'MULTI_EXIT_DISC',
    (med) => ({ type: 'MULTI_EXIT_DISC', med }),
    (v) => v.med,
  ),
};
