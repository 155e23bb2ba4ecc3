// The pure state machine, table by table, on explicit times (no clock at all).
import { describe, expect, it } from 'vitest';
import { advertisedTx, initialVars, nextDeadline, step } from '../../../../src/bgp/bfd/fsm.ts';
import type { BfdAction, BfdTimerConfig, BfdVars } from '../../../../src/bgp/bfd/fsm.ts';
import type { BfdState, ControlPacket } from '../../../../src/bgp/bfd/types.ts';
import { controlPacket } from './packets.ts';

const config: BfdTimerConfig = {
  desiredMinTxInterval: 300_000,
  requiredMinRxInterval: 300_000,
  detectMult: 3,
  passive: false,
};
const LOCAL = 0x1000;
const REMOTE = 0x2000;

function ctx(now: number, r = 0.5) {
  return { now, random: () => r };
}

function remote(state: BfdState, extra: Partial<ControlPacket> = {}): ControlPacket {
  return controlPacket({
    state,
    myDiscriminator: REMOTE,
    yourDiscriminator: state === 'Down' || state === 'AdminDown' ? 0 : LOCAL,
    desiredMinTxInterval: 300_000,
    requiredMinRxInterval: 300_000,
    ...extra,
  });
}

function started(c: BfdTimerConfig = config): BfdVars {
  return step(initialVars(LOCAL, c), { type: 'start' }, ctx(0)).vars;
}

function inState(state: BfdState): BfdVars {
  const v = started();
  return { ...v, state, remoteDiscr: state === 'Down' ? 0 : REMOTE, activeTxInterval: advertisedTx(state, config) };
}

const sends = (actions: BfdAction[]) => actions.flatMap((a) => (a.type === 'send' ? [a.packet] : []));
const changes = (actions: BfdAction[]) => actions.flatMap((a) => (a.type === 'state' ? [[a.from, a.to, a.diag]] : []));

describe('BFD state machine (RFC 5880 §6.8)', () => {
  it('rejects bad discriminators and timers', () => {
    expect(() => initialVars(0, config)).toThrow(/discriminator must be in 1\.\.2\^32-1, got 0/);
    expect(() => initialVars(1, { ...config, detectMult: 0 })).toThrow(/detectMult must be 1\.\.255, got 0/);
    expect(() => initialVars(1, { ...config, desiredMinTxInterval: 0 })).toThrow(/desiredMinTxInterval/);
  });

  it('start: AdminDown → Down, sends at once at the slow 1 s rate (§6.8.3)', () => {
    const r = step(initialVars(LOCAL, config), { type: 'start' }, ctx(0));
    expect(changes(r.actions)).toEqual([['AdminDown', 'Down', 0]]);
    expect(r.vars.nextTxAt).toBe(0);
    const t = step(r.vars, { type: 'timer' }, ctx(0, 0));
    expect(sends(t.actions)).toMatchObject([
      {
        state: 'Down',
        desiredMinTxInterval: 1_000_000,
        requiredMinRxInterval: 300_000,
        yourDiscriminator: 0,
        myDiscriminator: LOCAL,
        poll: false,
      },
    ]);
    expect(t.vars.nextTxAt).toBe(750); // 1 s less 25% jitter (random = 0)
  });

  it('passive: sends nothing until the peer is heard', () => {
    const v = started({ ...config, passive: true });
    expect(v.nextTxAt).toBeUndefined();
    expect(nextDeadline(v)).toBeUndefined();
    const r = step(v, { type: 'receive', packet: remote('Down') }, ctx(5));
    expect(changes(r.actions)).toEqual([['Down', 'Init', 0]]);
    expect(sends(r.actions)).toMatchObject([{ state: 'Init', yourDiscriminator: REMOTE }]);
    expect(r.vars.nextTxAt).toBeDefined();
  });

  // [local state, received state, new state, diag or undefined when unchanged]
  const table: [BfdState, BfdState, BfdState, number | undefined][] = [
    ['Down', 'Down', 'Init', 0],
    ['Down', 'Init', 'Up', 0],
    ['Down', 'Up', 'Down', undefined],
    ['Down', 'AdminDown', 'Down', undefined],
    ['Init', 'Down', 'Init', undefined],
    ['Init', 'Init', 'Up', 0],
    ['Init', 'Up', 'Up', 0],
    ['Init', 'AdminDown', 'Down', 3],
    ['Up', 'Down', 'Down', 3],
    ['Up', 'Init', 'Up', undefined],
    ['Up', 'Up', 'Up', undefined],
    ['Up', 'AdminDown', 'Down', 3],
  ];
  for (const [local, received, next, diag] of table) {
    it(`${local} + received ${received} → ${next}`, () => {
      const r = step(inState(local), { type: 'receive', packet: remote(received) }, ctx(10));
      expect(r.vars.state).toBe(next);
      if (diag === undefined) {
        expect(changes(r.actions)).toEqual([]);
      } else {
        expect(changes(r.actions)).toEqual([[local, next, diag]]);
        expect(r.vars.localDiag).toBe(diag);
        // a state change is told to the peer at once
        expect(sends(r.actions).at(-1)).toMatchObject({ state: next, diag });
      }
      expect(r.vars.remoteDiscr).toBe(REMOTE);
    });
  }

  it('detection time = remote DetectMult × max(our RequiredMinRx, remote DesiredMinTx); expiry → Down diag 1', () => {
    let v = inState('Up');
    v = { ...v, pollActive: false, activeTxInterval: 300_000 };
    v = step(
      v,
      { type: 'receive', packet: remote('Up', { detectMult: 4, desiredMinTxInterval: 500_000 }) },
      ctx(1000),
    ).vars;
    expect(v.detectAt).toBe(1000 + 4 * 500);
    const before = step(v, { type: 'timer' }, ctx(2999));
    expect(before.vars.state).toBe('Up');
    const r = step(v, { type: 'timer' }, ctx(3000));
    expect(changes(r.actions)).toEqual([['Up', 'Down', 1]]);
    expect(r.vars.remoteDiscr).toBe(0);
    expect(sends(r.actions)[0]).toMatchObject({
      state: 'Down',
      diag: 1,
      yourDiscriminator: 0,
      desiredMinTxInterval: 1_000_000,
    });
  });

  it('going Up starts a Poll Sequence to the configured rate; Final ends it', () => {
    const up = step(inState('Init'), { type: 'receive', packet: remote('Up') }, ctx(0));
    expect(up.vars.state).toBe('Up');
    expect(up.vars.pollActive).toBe(true);
    expect(sends(up.actions).at(-1)).toMatchObject({ poll: true, final: false, desiredMinTxInterval: 300_000 });
    // a faster rate applies at once
    expect(up.vars.activeTxInterval).toBe(300_000);
    const periodic = step({ ...up.vars, nextTxAt: 100 }, { type: 'timer' }, ctx(100));
    expect(sends(periodic.actions)).toMatchObject([{ poll: true }]);
    const fin = step(periodic.vars, { type: 'receive', packet: remote('Up', { final: true }) }, ctx(150));
    expect(fin.vars.pollActive).toBe(false);
    const after = step({ ...fin.vars, nextTxAt: 400 }, { type: 'timer' }, ctx(400));
    expect(sends(after.actions)).toMatchObject([{ poll: false, final: false }]);
  });

  it('answers a Poll with Final at once, never with P and F together (§6.8.7)', () => {
    const v = { ...inState('Up'), pollActive: true };
    const r = step(v, { type: 'receive', packet: remote('Up', { poll: true }) }, ctx(0));
    expect(sends(r.actions)).toMatchObject([{ poll: false, final: true, state: 'Up' }]);
  });

  it('a slower configured TX in Up waits for the Final; a faster RX detection waits too (§6.8.3)', () => {
    const v = { ...inState('Up'), pollActive: false, activeTxInterval: 300_000, activeRxInterval: 300_000 };
    const slower = step(
      v,
      { type: 'set-config', config: { ...config, desiredMinTxInterval: 900_000, requiredMinRxInterval: 100_000 } },
      ctx(0),
    );
    expect(slower.vars.pollActive).toBe(true);
    expect(slower.vars.activeTxInterval).toBe(300_000);
    expect(slower.vars.activeRxInterval).toBe(300_000);
    const fin = step(slower.vars, { type: 'receive', packet: remote('Up', { final: true }) }, ctx(10));
    expect(fin.vars.activeTxInterval).toBe(900_000);
    expect(fin.vars.activeRxInterval).toBe(100_000);
  });

  it('transmit interval is the larger of ours and the peer RequiredMinRx; 0 stops periodic sending', () => {
    const v = { ...inState('Up'), pollActive: false, activeTxInterval: 300_000, nextTxAt: undefined };
    const slow = step(v, { type: 'receive', packet: remote('Up', { requiredMinRxInterval: 2_000_000 }) }, ctx(0, 0));
    expect(slow.vars.nextTxAt).toBe(1500); // 2 s × 0.75
    const none = step(v, { type: 'receive', packet: remote('Up', { requiredMinRxInterval: 0 }) }, ctx(0));
    expect(none.vars.nextTxAt).toBeUndefined();
  });

  it('jitter stays within 75–100% (75–90% with DetectMult 1)', () => {
    for (const [mult, r, expected] of [
      [3, 0, 225],
      [3, 0.999999, 300],
      [1, 0.999999, 270],
    ] as const) {
      const v = {
        ...inState('Up'),
        pollActive: false,
        activeTxInterval: 300_000,
        remoteMinRxInterval: 300_000,
        config: { ...config, detectMult: mult },
      };
      const t = step({ ...v, nextTxAt: 0 }, { type: 'timer' }, ctx(0, r));
      expect(t.vars.nextTxAt).toBeCloseTo(expected, 2);
    }
  });

  it('drops packets that fail session checks with a reason', () => {
    const up = inState('Up');
    const cases: [BfdVars, ControlPacket, string][] = [
      [up, remote('Up', { auth: { type: 1, data: new Uint8Array([1, 97]) } }), 'auth-not-configured'],
      [up, remote('Up', { yourDiscriminator: 0x9999 }), 'unknown-your-discriminator'],
      [initialVars(LOCAL, config), remote('Down'), 'admin-down-local'],
    ];
    for (const [v, p, reason] of cases) {
      const r = step(v, { type: 'receive', packet: p }, ctx(0));
      expect(r.actions).toEqual([{ type: 'drop', reason }]);
      expect(r.vars.state).toBe(v.state);
    }
  });

  it('admin-down sends AdminDown with diag 7 and stops all timers', () => {
    const r = step(inState('Up'), { type: 'admin-down' }, ctx(0));
    expect(changes(r.actions)).toEqual([['Up', 'AdminDown', 7]]);
    expect(sends(r.actions)).toMatchObject([{ state: 'AdminDown', diag: 7 }]);
    expect(nextDeadline(r.vars)).toBeUndefined();
  });
});
