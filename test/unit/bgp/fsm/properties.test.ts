import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FsmEvent, FsmState } from '../../../../src/bgp/fsm/index.ts';
import { initialState, step, TIMER_NAMES } from '../../../../src/bgp/fsm/index.ts';
import { CFG, peerOpen } from './fixtures.ts';

const eventArb: fc.Arbitrary<FsmEvent> = fc.oneof(
  fc.constantFrom<FsmEvent>(
    { type: 'ManualStart' },
    { type: 'ManualStart_with_PassiveTcpEstablishment' },
    { type: 'ManualStop' },
    { type: 'ManualStop', restart: true },
    { type: 'AutomaticStart' },
    { type: 'AutomaticStart_with_PassiveTcpEstablishment' },
    { type: 'IdleHoldTimer_Expires' },
    { type: 'ConnectRetryTimer_Expires' },
    { type: 'HoldTimer_Expires' },
    { type: 'KeepaliveTimer_Expires' },
    { type: 'TcpConnection_Valid' },
    { type: 'Tcp_CR_Invalid' },
    { type: 'Tcp_CR_Acked' },
    { type: 'TcpConnectionConfirmed' },
    { type: 'TcpConnectionFails' },
    { type: 'BGPHeaderErr', code: 1, subcode: 1 },
    { type: 'BGPOpenMsgErr', code: 2, subcode: 4 },
    { type: 'NotifMsgVerErr' },
    { type: 'NotifMsg' },
    { type: 'KeepAliveMsg' },
    { type: 'UpdateMsg' },
    { type: 'UpdateMsgErr', code: 3, subcode: 3 },
    { type: 'RouteRefreshMsg' },
    { type: 'OpenCollisionDump' },
    { type: 'BfdDown' },
  ),
  fc
    .record({
      holdTime: fc.constantFrom(0, 1, 2, 3, 9, 90, 65535),
      version: fc.constantFrom(3, 4),
      bgpId: fc.constantFrom(0, CFG.bgpId, 1),
      fourOctetAs: fc.constantFrom(CFG.peerAsn, 1, undefined),
    })
    .map((o): FsmEvent => ({ type: 'BGPOpen', open: peerOpen(o) })),
);

/** Replays actions over a timer model and checks they agree with state.timers. */
function checkInvariants(before: FsmState, r: ReturnType<typeof step>): void {
  const timers = { ...before.timers };
  for (const a of r.actions) {
    if (a.type === 'startTimer') {
      timers[a.timer] = true;
      expect(a.seconds).toBeGreaterThan(0);
      expect(Number.isFinite(a.seconds)).toBe(true);
    }
    if (a.type === 'stopTimer') {
      expect(timers[a.timer]).toBe(true); // only running timers are stopped
      timers[a.timer] = false;
    }
  }
  // An expired timer is no longer running unless restarted; the model marks it when the event names it.
  for (const t of TIMER_NAMES) {
    if (r.state.timers[t] !== timers[t]) {
      // Only allowed difference: the timer that just expired, now stopped without an action.
      expect(timers[t]).toBe(true);
      expect(r.state.timers[t]).toBe(false);
    }
  }
  const s = r.state;
  const n = s.negotiated;
  if (s.name === 'Established' || s.name === 'OpenConfirm') {
    expect(n).toBeDefined();
    expect(s.timers.Hold).toBe((n?.holdTime ?? 0) > 0);
    expect(s.timers.Keepalive).toBe((n?.holdTime ?? 0) > 0);
    expect(n?.keepaliveTime ?? 0).toBeLessThanOrEqual(Math.max(1, Math.floor((n?.holdTime ?? 0) / 3)));
  } else {
    expect(s.timers.Keepalive).toBe(false);
  }
  if (s.name === 'OpenSent') expect(s.timers.Hold).toBe(true);
  if (s.name === 'Idle') {
    expect(s.timers.Hold || s.timers.ConnectRetry || s.timers.Keepalive).toBe(false);
    expect(s.timers.IdleHold).toBe(s.enabled);
  } else {
    expect(s.timers.IdleHold).toBe(false);
  }
  if (s.name === 'Connect' || s.name === 'Active') expect(s.timers.ConnectRetry).toBe(true);
}

describe('BGP FSM properties', () => {
  it('never throws and keeps timers consistent for any event sequence', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (events, r) => {
          const cfg = { ...CFG, random: () => r };
          let s = initialState();
          for (const e of events) {
            const res = step(s, e, cfg);
            checkInvariants(s, res);
            s = res.state;
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the same holds with hold time 0 configured', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), (events) => {
        const cfg = { ...CFG, holdTime: 0 };
        let s = initialState();
        for (const e of events) {
          const res = step(s, e, cfg);
          checkInvariants(s, res);
          if (res.state.name === 'Established') expect(res.state.timers.Hold).toBe(false);
          s = res.state;
        }
      }),
      { numRuns: 200 },
    );
  });
});
