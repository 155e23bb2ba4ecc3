import { describe, expect, it } from 'vitest';
import type { LabelSelector } from '../../../src/config/index.ts';
import {
  electBgp,
  electLayer2,
  endpointCanServe,
  EXCLUDE_LABEL,
  orderCandidates,
  type NodeFacts,
  type NodeRules,
  type ServiceFacts,
} from '../../../src/election/index.ts';

const NAMES = ['node-a', 'node-b', 'node-c', 'node-d', 'node-e'];
const ALL: LabelSelector[] = [];
const node = (name: string, labels: Record<string, string> = {}, networkUnavailable = false): NodeFacts => ({
  name,
  labels: { 'kubernetes.io/hostname': name, ...labels },
  networkUnavailable,
});
function rules(over: Partial<Record<string, NodeFacts>> = {}, alive = NAMES): NodeRules {
  return { alive: new Set(alive), nodes: new Map(NAMES.map((n) => [n, over[n] ?? node(n)])) };
}
const svc = (ips: string[], over: Partial<ServiceFacts> = {}): ServiceFacts => ({
  ips,
  externalTrafficPolicy: 'Cluster',
  endpoints: [{ nodeName: 'node-e', ready: true }],
  ...over,
});

describe('orderCandidates (MetalLB: sha256(node + "#" + ip), bytewise)', () => {
  // Expected orders computed independently (Python hashlib) for these inputs.
  it.each([
    ['192.0.2.10', ['node-d', 'node-c', 'node-b', 'node-a', 'node-e']],
    ['198.51.100.7', ['node-d', 'node-a', 'node-e', 'node-b', 'node-c']],
    ['2001:db8::1', ['node-d', 'node-b', 'node-a', 'node-c', 'node-e']],
  ])('%s', (ip, expected) => {
    expect(orderCandidates(NAMES, ip)).toEqual(expected);
    expect(orderCandidates([...NAMES].reverse(), ip)).toEqual(expected);
  });
});

describe('electLayer2', () => {
  it('the first in hash order of the first IP owns every IP of the Service', () => {
    const e = electLayer2(svc(['198.51.100.7', '2001:db8::1']), rules(), [ALL]);
    expect(e.announcers).toEqual(['node-d']);
    expect(e.candidates).toEqual(['node-d', 'node-a', 'node-e', 'node-b', 'node-c']);
  });
  it('a dead, NetworkUnavailable, excluded or unselected node hands over to the next in order', () => {
    const ip = ['192.0.2.10'];
    expect(electLayer2(svc(ip), rules({}, ['node-a', 'node-b', 'node-c', 'node-e']), [ALL]).announcers).toEqual([
      'node-c',
    ]);
    const r = rules({ 'node-d': node('node-d', {}, true), 'node-c': node('node-c', { [EXCLUDE_LABEL]: '' }) });
    const e = electLayer2(svc(ip), r, [ALL]);
    expect(e.announcers).toEqual(['node-b']);
    expect(e.skipped.get('node-d')).toBe('network-unavailable');
    expect(e.skipped.get('node-c')).toBe('excluded-by-label');
    expect(electLayer2(svc(ip), { ...r, ignoreExcludeLabel: true }, [ALL]).announcers).toEqual(['node-c']);
    const onlyAE: LabelSelector[] = [
      {
        matchLabels: {},
        matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-a', 'node-e'] }],
      },
    ];
    const sel = electLayer2(svc(ip), rules(), [onlyAE]);
    expect(sel.announcers).toEqual(['node-a']);
    expect(sel.skipped.get('node-d')).toBe('not-selected');
  });
  it('any of several advertisements selecting the node is enough', () => {
    const a: LabelSelector[] = [{ matchLabels: { zone: 'x' }, matchExpressions: [] }];
    const b: LabelSelector[] = [{ matchLabels: { 'kubernetes.io/hostname': 'node-e' }, matchExpressions: [] }];
    expect(electLayer2(svc(['192.0.2.10']), rules(), [a, b]).announcers).toEqual(['node-e']);
  });
  it('Local: only nodes with a serving endpoint; no serving endpoint anywhere: nobody', () => {
    const local = svc(['192.0.2.10'], {
      externalTrafficPolicy: 'Local',
      endpoints: [
        { nodeName: 'node-a', ready: true },
        { nodeName: 'node-b', ready: false, serving: true, terminating: true },
        { nodeName: 'node-c', ready: false, serving: false },
      ],
    });
    const e = electLayer2(local, rules(), [ALL]);
    expect(e.announcers).toEqual(['node-b']);
    expect(e.skipped.get('node-c')).toBe('no-local-endpoint');
    const none = electLayer2(svc(['192.0.2.10'], { endpoints: [{ nodeName: 'node-a', ready: false }] }), rules(), [
      ALL,
    ]);
    expect(none).toMatchObject({ announcers: [], reason: 'no-serving-endpoint' });
  });
  it('says why nobody announces', () => {
    expect(electLayer2(svc([]), rules(), [ALL]).reason).toBe('no-ips');
    expect(electLayer2(svc(['192.0.2.10']), rules(), []).reason).toBe('no-advertisement');
    expect(electLayer2(svc(['192.0.2.10']), rules({}, []), [ALL]).reason).toBe('no-candidate');
  });
  it('a node alive in membership but without a Node object is not a candidate', () => {
    const r = rules();
    const e = electLayer2(svc(['192.0.2.10']), { ...r, alive: new Set([...r.alive, 'ghost']) }, [ALL]);
    expect(e.skipped.get('ghost')).toBe('unknown-node');
    expect(e.candidates).not.toContain('ghost');
  });
});

describe('electBgp', () => {
  it('every eligible node announces; Local keeps only nodes with a serving endpoint', () => {
    expect(electBgp(svc(['192.0.2.10']), rules({}, ['node-c', 'node-a']), [ALL]).announcers).toEqual([
      'node-a',
      'node-c',
    ]);
    const local = svc(['192.0.2.10'], { externalTrafficPolicy: 'Local', endpoints: [{ nodeName: 'node-e' }] });
    expect(electBgp(local, rules(), [ALL]).announcers).toEqual(['node-e']);
  });
});

describe('endpointCanServe (MetalLB EndpointCanServe)', () => {
  it.each([
    [{}, true],
    [{ ready: true }, true],
    [{ ready: false }, false],
    [{ ready: false, serving: true, terminating: true }, true],
    [{ ready: false, serving: false }, false],
  ])('%j → %s', (e, ok) => expect(endpointCanServe(e)).toBe(ok));
});
