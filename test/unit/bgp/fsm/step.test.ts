import { describe, expect, it } from 'vitest';
import type { FsmAction, FsmEvent, FsmState, FsmStateName } from '../../../../src/bgp/fsm/index.ts';
import { initialState, step } from '../../../../src/bgp/fsm/index.ts';
import { CFG, peerOpen, stateAt } from './fixtures.ts';

type Row = {
  from: FsmState;
  fromName: string;
  event: FsmEvent;
  to: FsmStateName;
  /** Action types expected, in order (timer actions as start:Name / stop:Name). */
  actions: string[];
};

function brief(a: FsmAction): string {
  switch (a.type) {
    case 'startTimer':
      return `start:${a.timer}`;
    case 'stopTimer':
      return `stop:${a.timer}`;
    case 'sendNotification':
      return `notify:${a.code}/${a.subcode}`;
    default:
      return a.type;
  }
}

const idle = initialState();
const connect = stateAt('Connect');
const active = step(initialState(), { type: 'ManualStart_with_PassiveTcpEstablishment' }, CFG).state;
const openSent = stateAt('OpenSent');
const openConfirm = stateAt('OpenConfirm');
const established = stateAt('Established');
const err = { code: 3, subcode: 1 };

const rows: Row[] = [
  {
    from: idle,
    fromName: 'Idle',
    event: { type: 'ManualStart' },
    to: 'Connect',
    actions: ['start:ConnectRetry', 'connect'],
  },
  {
    from: idle,
    fromName: 'Idle',
    event: { type: 'ManualStart_with_PassiveTcpEstablishment' },
    to: 'Active',
    actions: ['start:ConnectRetry'],
  },
  { from: idle, fromName: 'Idle', event: { type: 'KeepAliveMsg' }, to: 'Idle', actions: [] },
  { from: idle, fromName: 'Idle', event: { type: 'TcpConnectionConfirmed' }, to: 'Idle', actions: [] },
  {
    from: connect,
    fromName: 'Connect',
    event: { type: 'Tcp_CR_Acked' },
    to: 'OpenSent',
    actions: ['stop:ConnectRetry', 'sendOpen', 'start:Hold'],
  },
  {
    from: connect,
    fromName: 'Connect',
    event: { type: 'TcpConnectionConfirmed' },
    to: 'OpenSent',
    actions: ['stop:ConnectRetry', 'sendOpen', 'start:Hold'],
  },
  {
    from: connect,
    fromName: 'Connect',
    event: { type: 'ConnectRetryTimer_Expires' },
    to: 'Connect',
    actions: ['close', 'start:ConnectRetry', 'connect'],
  },
  {
    from: connect,
    fromName: 'Connect',
    event: { type: 'TcpConnectionFails' },
    to: 'Idle',
    actions: ['stop:ConnectRetry', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: connect,
    fromName: 'Connect',
    event: { type: 'ManualStop' },
    to: 'Idle',
    actions: ['stop:ConnectRetry', 'releaseResources', 'close'],
  },
  {
    from: active,
    fromName: 'Active',
    event: { type: 'TcpConnectionConfirmed' },
    to: 'OpenSent',
    actions: ['stop:ConnectRetry', 'sendOpen', 'start:Hold'],
  },
  {
    from: active,
    fromName: 'Active',
    event: { type: 'ConnectRetryTimer_Expires' },
    to: 'Active',
    actions: ['start:ConnectRetry'],
  },
  {
    from: openSent,
    fromName: 'OpenSent',
    event: { type: 'BGPOpen', open: peerOpen() },
    to: 'OpenConfirm',
    actions: ['sendKeepalive', 'start:Keepalive', 'start:Hold'],
  },
  {
    from: openSent,
    fromName: 'OpenSent',
    event: { type: 'BGPOpen', open: peerOpen({ holdTime: 0 }) },
    to: 'OpenConfirm',
    actions: ['sendKeepalive', 'stop:Hold'],
  },
  {
    from: openSent,
    fromName: 'OpenSent',
    event: { type: 'BGPOpen', open: peerOpen({ holdTime: 2 }) },
    to: 'Idle',
    actions: ['notify:2/6', 'stop:Hold', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: openSent,
    fromName: 'OpenSent',
    event: { type: 'BGPOpen', open: peerOpen({ holdTime: 1 }) },
    to: 'Idle',
    actions: ['notify:2/6', 'stop:Hold', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: openSent,
    fromName: 'OpenSent',
    event: { type: 'BGPOpen', open: peerOpen({ version: 3 }) },
    to: 'Idle',
    actions: ['notify:2/1', 'stop:Hold', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: openSent,
    fromName: 'OpenSent',
    event: { type: 'BGPOpen', open: peerOpen({ fourOctetAs: 65000 }) },
    to: 'Idle',
    actions: ['notify:2/2', 'stop:Hold', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: openSent,
    fromName: 'OpenSent',
    event: { type: 'BGPOpen', open: peerOpen({ bgpId: 0 }) },
    to: 'Idle',
    actions: ['notify:2/3', 'stop:Hold', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: openSent,
    fromName: 'OpenSent',
    event: { type: 'HoldTimer_Expires' },
    to: 'Idle',
    actions: ['notify:4/0', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: openSent,
    fromName: 'OpenSent',
    event: { type: 'TcpConnectionFails' },
    to: 'Active',
    actions: ['stop:Hold', 'close', 'start:ConnectRetry'],
  },
  {
    from: openSent,
    fromName: 'OpenSent',
    event: { type: 'KeepAliveMsg' },
    to: 'Idle',
    actions: ['notify:5/1', 'stop:Hold', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: openSent,
    fromName: 'OpenSent',
    event: { type: 'OpenCollisionDump' },
    to: 'Idle',
    actions: ['notify:6/7', 'stop:Hold', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: openSent,
    fromName: 'OpenSent',
    event: { type: 'ManualStop' },
    to: 'Idle',
    actions: ['notify:6/2', 'stop:Hold', 'releaseResources', 'close'],
  },
  {
    from: openSent,
    fromName: 'OpenSent',
    event: { type: 'BGPHeaderErr', code: 1, subcode: 2 },
    to: 'Idle',
    actions: ['notify:1/2', 'stop:Hold', 'releaseResources', 'close', 'start:IdleHold'],
  },
  { from: openSent, fromName: 'OpenSent', event: { type: 'Tcp_CR_Acked' }, to: 'OpenSent', actions: [] },
  {
    from: openConfirm,
    fromName: 'OpenConfirm',
    event: { type: 'KeepAliveMsg' },
    to: 'Established',
    actions: ['start:Hold', 'establish'],
  },
  {
    from: openConfirm,
    fromName: 'OpenConfirm',
    event: { type: 'KeepaliveTimer_Expires' },
    to: 'OpenConfirm',
    actions: ['sendKeepalive', 'start:Keepalive'],
  },
  {
    from: openConfirm,
    fromName: 'OpenConfirm',
    event: { type: 'UpdateMsg' },
    to: 'Idle',
    actions: ['notify:5/2', 'stop:Hold', 'stop:Keepalive', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: openConfirm,
    fromName: 'OpenConfirm',
    event: { type: 'NotifMsg' },
    to: 'Idle',
    actions: ['stop:Hold', 'stop:Keepalive', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: openConfirm,
    fromName: 'OpenConfirm',
    event: { type: 'HoldTimer_Expires' },
    to: 'Idle',
    actions: ['notify:4/0', 'stop:Keepalive', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: established,
    fromName: 'Established',
    event: { type: 'UpdateMsg' },
    to: 'Established',
    actions: ['processUpdate', 'start:Hold'],
  },
  {
    from: established,
    fromName: 'Established',
    event: { type: 'RouteRefreshMsg' },
    to: 'Established',
    actions: ['processRouteRefresh', 'start:Hold'],
  },
  {
    from: established,
    fromName: 'Established',
    event: { type: 'KeepAliveMsg' },
    to: 'Established',
    actions: ['start:Hold'],
  },
  {
    from: established,
    fromName: 'Established',
    event: { type: 'KeepaliveTimer_Expires' },
    to: 'Established',
    actions: ['sendKeepalive', 'start:Keepalive'],
  },
  {
    from: established,
    fromName: 'Established',
    event: { type: 'HoldTimer_Expires' },
    to: 'Idle',
    actions: ['notify:4/0', 'stop:Keepalive', 'releaseResources', 'close', 'start:IdleHold'],
  },
  // RFC 9687: the session runs the SendHoldTimer; its expiry is NOTIFICATION 8/0 and Idle in every open state.
  {
    from: openSent,
    fromName: 'OpenSent',
    event: { type: 'SendHoldTimer_Expires' },
    to: 'Idle',
    actions: ['notify:8/0', 'stop:Hold', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: openConfirm,
    fromName: 'OpenConfirm',
    event: { type: 'SendHoldTimer_Expires' },
    to: 'Idle',
    actions: ['notify:8/0', 'stop:Hold', 'stop:Keepalive', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: established,
    fromName: 'Established',
    event: { type: 'SendHoldTimer_Expires' },
    to: 'Idle',
    actions: ['notify:8/0', 'stop:Hold', 'stop:Keepalive', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: established,
    fromName: 'Established',
    event: { type: 'UpdateMsgErr', ...err },
    to: 'Idle',
    actions: ['notify:3/1', 'stop:Hold', 'stop:Keepalive', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: established,
    fromName: 'Established',
    event: { type: 'ManualStop' },
    to: 'Idle',
    actions: ['notify:6/2', 'stop:Hold', 'stop:Keepalive', 'releaseResources', 'close'],
  },
  {
    from: established,
    fromName: 'Established',
    event: { type: 'ManualStop', ceaseSubcode: 3 },
    to: 'Idle',
    actions: ['notify:6/3', 'stop:Hold', 'stop:Keepalive', 'releaseResources', 'close'],
  },
  {
    from: established,
    fromName: 'Established',
    event: { type: 'ManualStop', restart: true },
    to: 'Idle',
    actions: ['stop:Hold', 'stop:Keepalive', 'releaseResources', 'close'],
  },
  {
    from: established,
    fromName: 'Established',
    event: { type: 'BfdDown' },
    to: 'Idle',
    actions: ['notify:6/0', 'stop:Hold', 'stop:Keepalive', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: established,
    fromName: 'Established',
    event: { type: 'BGPOpen', open: peerOpen() },
    to: 'Idle',
    actions: ['notify:5/3', 'stop:Hold', 'stop:Keepalive', 'releaseResources', 'close', 'start:IdleHold'],
  },
  {
    from: established,
    fromName: 'Established',
    event: { type: 'ConnectRetryTimer_Expires' },
    to: 'Established',
    actions: [],
  },
  {
    from: established,
    fromName: 'Established',
    event: { type: 'TcpConnectionConfirmed' },
    to: 'Established',
    actions: [],
  },
];

describe('BGP FSM transitions (RFC 4271 §8.2.2)', () => {
  it.each(rows)('$fromName + $event.type → $to', ({ from, event, to, actions }) => {
    const r = step(from, event, CFG);
    expect(r.state.name).toBe(to);
    expect(r.actions.map(brief)).toEqual(actions);
  });

  it('a stopped session does not restart itself', () => {
    const r = step(established, { type: 'ManualStop' }, CFG);
    expect(r.state.enabled).toBe(false);
    expect(r.state.timers.IdleHold).toBe(false);
    const again = step(r.state, { type: 'IdleHoldTimer_Expires' }, CFG);
    expect(again.state.name).toBe('Idle');
    expect(again.ignored).toMatch(/not running/);
  });

  it('restarts after the IdleHold back-off and backs off longer after each failure', () => {
    let s = stateAt('Connect');
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const fail = step(s, { type: 'TcpConnectionFails' }, CFG);
      const hold = fail.actions.find((a) => a.type === 'startTimer' && a.timer === 'IdleHold');
      expect(hold).toBeDefined();
      delays.push(hold?.type === 'startTimer' ? hold.seconds : -1);
      const restart = step(fail.state, { type: 'IdleHoldTimer_Expires' }, CFG);
      expect(restart.state.name).toBe('Connect');
      expect(restart.actions.map((a) => a.type)).toContain('connect');
      s = restart.state;
    }
    expect(delays).toEqual([2, 4, 8, 16, 32, 60, 60, 60]);
  });

  it('accepts a connection during the Idle back-off through a one-off passive start', () => {
    const failed = step(connect, { type: 'TcpConnectionFails' }, CFG).state;
    const passive = step(failed, { type: 'AutomaticStart_with_PassiveTcpEstablishment' }, CFG);
    expect(passive.state.name).toBe('Active');
    expect(passive.actions.map(brief)).toEqual(['stop:IdleHold', 'start:ConnectRetry']);
    expect(passive.state.passiveStart).toBe(false);
    const up = step(passive.state, { type: 'TcpConnectionConfirmed' }, CFG);
    expect(up.state.name).toBe('OpenSent');
    const stopped = step(established, { type: 'ManualStop' }, CFG).state;
    expect(step(stopped, { type: 'AutomaticStart_with_PassiveTcpEstablishment' }, CFG).state.name).toBe('Idle');
  });

  it('unanswered connects back off too (ConnectRetry expiry counts as a failure)', () => {
    let s = connect;
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = step(s, { type: 'ConnectRetryTimer_Expires' }, CFG);
      const t = r.actions.find((a) => a.type === 'startTimer');
      delays.push(t?.type === 'startTimer' ? t.seconds : -1);
      s = r.state;
    }
    expect(delays).toEqual([2, 4, 8, 16]);
  });

  it('Established resets the retry counter', () => {
    expect(established.connectRetryCounter).toBe(0);
  });

  it('negotiates the smaller hold time and keepalive = hold/3, honouring a smaller configured keepalive', () => {
    const r = step(openSent, { type: 'BGPOpen', open: peerOpen({ holdTime: 30 }) }, CFG);
    expect(r.state.negotiated).toMatchObject({ holdTime: 30, keepaliveTime: 10 });
    const r2 = step(openSent, { type: 'BGPOpen', open: peerOpen({ holdTime: 30 }) }, { ...CFG, keepaliveTime: 3 });
    expect(r2.state.negotiated).toMatchObject({ holdTime: 30, keepaliveTime: 3 });
    const r3 = step(openSent, { type: 'BGPOpen', open: peerOpen({ holdTime: 9 }) }, { ...CFG, keepaliveTime: 30 });
    expect(r3.state.negotiated).toMatchObject({ holdTime: 9, keepaliveTime: 3 });
  });

  it('negotiates families: no MP capability means IPv4 unicast only', () => {
    const r = step(openSent, { type: 'BGPOpen', open: peerOpen({ multiprotocol: undefined }) }, CFG);
    expect(r.state.negotiated?.families).toEqual([{ afi: 1, safi: 1 }]);
    const r2 = step(openSent, { type: 'BGPOpen', open: peerOpen({ multiprotocol: [{ afi: 2, safi: 1 }] }) }, CFG);
    expect(r2.state.negotiated?.families).toEqual([{ afi: 2, safi: 1 }]);
  });

  it('accepts a 2-octet peer without the 4-octet capability', () => {
    const r = step(openSent, { type: 'BGPOpen', open: peerOpen({ fourOctetAs: undefined }) }, CFG);
    expect(r.state.name).toBe('OpenConfirm');
    expect(r.state.negotiated?.fourOctetAs).toBe(false);
  });

  it('rejects an iBGP peer using our BGP identifier with 2/3', () => {
    const cfg = { ...CFG, peerAsn: CFG.localAsn };
    const s = stateAt('OpenSent', cfg);
    const r = step(
      s,
      { type: 'BGPOpen', open: peerOpen({ myAsn: CFG.localAsn, fourOctetAs: CFG.localAsn, bgpId: CFG.bgpId }) },
      cfg,
    );
    expect(r.actions[0]).toMatchObject({ type: 'sendNotification', code: 2, subcode: 3 });
  });

  it('version error carries the highest supported version as data', () => {
    const r = step(openSent, { type: 'BGPOpen', open: peerOpen({ version: 5 }) }, CFG);
    const n = r.actions[0];
    expect(n?.type === 'sendNotification' && [...(n.data ?? [])]).toEqual([0, 4]);
  });

  it('does not mutate the input state', () => {
    const before = JSON.stringify(established);
    step(established, { type: 'HoldTimer_Expires' }, CFG);
    expect(JSON.stringify(established)).toBe(before);
  });
});
