// A BFD Control packet for tests: version 1, no diagnostic, no flags, detect multiplier 3 and no Echo
// (as FerroLB and FRR's bfdd send them) unless `fields` says otherwise; each test gives the state,
// discriminators and intervals it is about.
import type { ControlPacket } from '../../../../src/bgp/bfd/types.ts';

type Required = 'state' | 'myDiscriminator' | 'yourDiscriminator' | 'desiredMinTxInterval' | 'requiredMinRxInterval';

export function controlPacket(fields: Pick<ControlPacket, Required> & Partial<ControlPacket>): ControlPacket {
  return {
    version: 1,
    diag: 0,
    poll: false,
    final: false,
    controlPlaneIndependent: false,
    demand: false,
    multipoint: false,
    detectMult: 3,
    requiredMinEchoRxInterval: 0,
    ...fields,
  };
}
