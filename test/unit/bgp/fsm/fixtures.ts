import type { FsmConfig, FsmState, PeerOpen } from '../../../../src/bgp/fsm/index.ts';
import { initialState, step } from '../../../../src/bgp/fsm/index.ts';

export const CFG: FsmConfig = {
  localAsn: 64512,
  peerAsn: 64513,
  bgpId: 0xc0000201, // 192.0.2.1
  holdTime: 90,
  openHoldTime: 240,
  passive: false,
  families: [
    { afi: 1, safi: 1 },
    { afi: 2, safi: 1 },
  ],
  connectRetry: { minSeconds: 1, maxSeconds: 60 },
  random: () => 0.5,
};

export function peerOpen(over: Partial<PeerOpen> = {}): PeerOpen {
  return {
    version: 4,
    myAsn: 64513,
    holdTime: 90,
    bgpId: 0xc0000202,
    fourOctetAs: 64513,
    multiprotocol: [{ afi: 1, safi: 1 }],
    routeRefresh: true,
    ...over,
  };
}

/** Drives a fresh FSM through the normal active path to the named state. */
export function stateAt(name: 'Connect' | 'OpenSent' | 'OpenConfirm' | 'Established', cfg = CFG): FsmState {
  let s = step(initialState(), { type: 'ManualStart' }, cfg).state;
  if (name === 'Connect') return s;
  s = step(s, { type: 'Tcp_CR_Acked' }, cfg).state;
  if (name === 'OpenSent') return s;
  s = step(s, { type: 'BGPOpen', open: peerOpen() }, cfg).state;
  if (name === 'OpenConfirm') return s;
  return step(s, { type: 'KeepAliveMsg' }, cfg).state;
}
