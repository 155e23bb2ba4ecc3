// Property-based allocator tests: random sequences of assign / release / restore / setPools over small
// pools, with random families, sharing keys, ports, traffic policies, hints and requested addresses.
// After every step the allocator's state is checked against rules computed independently here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Allocator } from '../../../src/allocator/allocator.ts';
import type { AllocationRequest, Assignment } from '../../../src/allocator/types.ts';
import type { Family } from '../../../src/net/family.ts';
import type { Pool } from '../../../src/config/model.ts';
import { parseIp } from '../../../src/net/ip.ts';
import { formatIp } from '../../../src/net/ip.ts';
import { pool } from './fixtures.ts';

const POOL_SETS: Pool[][] = [
  [
    pool('p1', ['198.51.100.0/29'], { avoidBuggyIPs: true }),
    pool('p2', ['192.0.2.0/30', '2001:db8::/126']),
    pool('p3', ['203.0.113.0/30', '2001:db8:1::/127'], { autoAssign: false }),
  ],
  // p1 shrunk and without avoid-buggy-ips, p3 gone
  [pool('p1', ['198.51.100.0/30']), pool('p2', ['192.0.2.0/30', '2001:db8::/126'])],
  // p2 loses its IPv6 range, p3 back and auto-assigned
  [
    pool('p1', ['198.51.100.0/29'], { avoidBuggyIPs: true }),
    pool('p2', ['192.0.2.0/30']),
    pool('p3', ['203.0.113.0/30', '2001:db8:1::/127']),
  ],
];

const KEYS = ['ns/a', 'ns/b', 'ns/c', 'ns/d', 'ns/e', 'ns/f', 'ns/g'];
const IPS = [
  '198.51.100.0',
  '198.51.100.1',
  '198.51.100.6',
  '192.0.2.1',
  '192.0.2.3',
  '2001:db8::1',
  '2001:db8::3',
  '203.0.113.1',
  '2001:db8:1::1',
  '203.0.113.77',
];
const PORTS = [
  { port: 80, protocol: 'TCP' as const },
  { port: 443, protocol: 'TCP' as const },
  { port: 53, protocol: 'UDP' as const },
];

const requestArb: fc.Arbitrary<AllocationRequest> = fc
  .record({
    key: fc.constantFrom(...KEYS),
    policy: fc.constantFrom('SingleStack', 'PreferDualStack', 'RequireDualStack'),
    v6first: fc.boolean(),
    sharingKey: fc.constantFrom(undefined, 'k1', 'k2'),
    ports: fc.subarray(PORTS),
    local: fc.boolean(),
    backend: fc.constantFrom('app=a', 'app=b'),
    hint: fc.option(fc.constantFrom('p1', 'p2', 'p3', 'nope'), { freq: 4 }),
    requested: fc.option(fc.subarray(IPS, { maxLength: 2 }), { freq: 4 }),
  })
  .map((r) => {
    const req: AllocationRequest = {
      key: r.key,
      namespace: 'ns',
      labels: {},
      namespaceLabels: {},
      ipFamilyPolicy: r.policy,
      ipFamilies:
        r.policy === 'SingleStack' ? [r.v6first ? 'ipv6' : 'ipv4'] : r.v6first ? ['ipv6', 'ipv4'] : ['ipv4', 'ipv6'],
      ports: r.ports,
      requestedIps: r.requested ?? [],
      externalTrafficPolicy: r.local ? 'Local' : 'Cluster',
      backendKey: r.backend,
    };
    if (r.sharingKey) req.sharingKey = r.sharingKey;
    if (r.hint) req.poolHint = r.hint;
    return req;
  });

type Command =
  | { kind: 'assign'; req: AllocationRequest }
  | { kind: 'release'; key: string }
  | { kind: 'restore'; req: AllocationRequest; ips: string[] }
  | { kind: 'setPools'; set: number };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: requestArb.map((req) => ({ kind: 'assign' as const, req })) },
  { weight: 2, arbitrary: fc.constantFrom(...KEYS).map((key) => ({ kind: 'release' as const, key })) },
  {
    weight: 2,
    arbitrary: fc
      .record({ req: requestArb, ips: fc.subarray(IPS, { minLength: 1, maxLength: 2 }) })
      .map((r) => ({ kind: 'restore' as const, ...r })),
  },
  { weight: 1, arbitrary: fc.nat({ max: POOL_SETS.length - 1 }).map((set) => ({ kind: 'setPools' as const, set })) },
);

// ---- the independent model of the rules ----

function familyOf(ip: string): Family {
  const p = parseIp(ip);
  if (!p) throw new Error(`allocator handed out an unparseable address ${ip}`);
  return p.family;
}

function inPool(p: Pool, ip: string): boolean {
  const a = parseIp(ip);
  if (!a) return false;
  if (p.avoidBuggyIPs && a.family === 'ipv4' && ((a.value & 255n) === 0n || (a.value & 255n) === 255n)) return false;
  return p.ranges.some((r) => r.family === a.family && r.first <= a.value && a.value <= r.last);
}

/** Every address a pool may hand out, enumerated (the test pools are tiny). */
function addressesOf(p: Pool, family: Family): string[] {
  const out: string[] = [];
  for (const r of p.ranges) {
    if (r.family !== family) continue;
    for (let v = r.first; v <= r.last; v++) {
      const text = formatIp(family, v);
      if (inPool(p, text)) out.push(text);
    }
  }
  return out;
}

function mayShare(x: AllocationRequest, y: AllocationRequest): boolean {
  if (!x.sharingKey || x.sharingKey !== y.sharingKey) return false;
  const backend = (r: AllocationRequest): string =>
    r.externalTrafficPolicy === 'Local' ? `Local:${r.backendKey}` : 'Cluster';
  if (backend(x) !== backend(y)) return false;
  return !x.ports.some((p) =>
    y.ports.some((q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP')),
  );
}

function checkInvariants(a: Allocator, pools: Pool[], requestOf: Map<string, AllocationRequest>): void {
  const all = a.assignments();
  const holders = new Map<string, Assignment[]>();
  for (const asg of all) {
    const req = requestOf.get(asg.key);
    expect(req, `${asg.key} holds addresses but never succeeded`).toBeDefined();
    if (!req) continue;
    const p = pools.find((x) => x.name === asg.pool);
    expect(p, `${asg.key} is in unknown pool ${asg.pool}`).toBeDefined();
    // every address lies in its pool (both families from the SAME pool)
    for (const ip of asg.ips) expect(inPool(p as Pool, ip), `${ip} of ${asg.key} outside pool ${asg.pool}`).toBe(true);
    // family rules
    const fams = asg.ips.map(familyOf);
    expect(new Set(fams).size, `${asg.key}: one address per family`).toBe(fams.length);
    const wanted = req.ipFamilies;
    if (req.ipFamilyPolicy === 'SingleStack') expect(fams).toEqual([wanted[0]]);
    else if (req.ipFamilyPolicy === 'RequireDualStack') expect(fams).toEqual(wanted);
    else {
      expect(fams.length).toBeGreaterThanOrEqual(1);
      if (fams.length === 2) expect(fams).toEqual(wanted);
    }
    if ((req.requestedIps ?? []).length > 0)
      expect([...asg.ips].sort()).toEqual(
        [...req.requestedIps].map((t) => formatIp(familyOf(t), parseIp(t)!.value)).sort(),
      );
    if (req.poolHint) expect(asg.pool).toBe(req.poolHint);
    for (const ip of asg.ips) holders.set(ip, [...(holders.get(ip) ?? []), asg]);
  }
  // no address held by two services that may not share
  for (const [ip, hs] of holders) {
    for (let i = 0; i < hs.length; i++) {
      for (let j = i + 1; j < hs.length; j++) {
        const x = requestOf.get((hs[i] as Assignment).key) as AllocationRequest;
        const y = requestOf.get((hs[j] as Assignment).key) as AllocationRequest;
        expect(mayShare(x, y), `${ip} held by ${x.key} and ${y.key}, which may not share`).toBe(true);
      }
    }
    expect(a.holdersOf(ip).sort()).toEqual(hs.map((h) => h.key).sort());
  }
  // usage: distinct addresses per pool and family; available = capacity - assigned
  for (const p of pools) {
    for (const family of ['ipv4', 'ipv6'] as const) {
      if (!p.ranges.some((r) => r.family === family)) continue;
      const held = new Set([...holders.keys()].filter((ip) => familyOf(ip) === family && inPool(p, ip)));
      const u = a.usage().find((x) => x.pool === p.name && x.family === family);
      expect(u).toEqual({
        pool: p.name,
        family,
        assigned: held.size,
        available: BigInt(addressesOf(p, family).length - held.size),
      });
    }
  }
}

/** Takes every free address of every pool through the public API; returns them by pool/family. */
function drain(a: Allocator, pools: Pool[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let n = 0;
  for (const p of pools) {
    for (const family of ['ipv4', 'ipv6'] as const) {
      if (!p.ranges.some((r) => r.family === family)) continue;
      const got: string[] = [];
      for (let i = 0; i < 64; i++) {
        const r = a.assign({
          key: `drain/${n++}`,
          namespace: 'drain',
          labels: {},
          namespaceLabels: {},
          ipFamilyPolicy: 'SingleStack',
          ipFamilies: [family],
          ports: [],
          requestedIps: [],
          poolHint: p.name,
          externalTrafficPolicy: 'Cluster',
        });
        if (!r.ok) {
          expect(r.error.code).toBe('PoolExhausted');
          break;
        }
        got.push(...r.assignment.ips);
      }
      out[`${p.name}/${family}`] = got.sort();
    }
  }
  return out;
}

/** What drain should find: every pool address nobody holds. */
function expectedFree(a: Allocator, pools: Pool[]): Record<string, string[]> {
  const held = new Set(a.assignments().flatMap((x) => x.ips));
  const out: Record<string, string[]> = {};
  for (const p of pools) {
    for (const family of ['ipv4', 'ipv6'] as const) {
      if (!p.ranges.some((r) => r.family === family)) continue;
      out[`${p.name}/${family}`] = addressesOf(p, family)
        .filter((ip) => !held.has(ip))
        .sort();
    }
  }
  return out;
}

function runCommands(a: Allocator, cmds: Command[], requestOf: Map<string, AllocationRequest>): Pool[] {
  let pools = POOL_SETS[0] as Pool[];
  a.setPools(pools);
  for (const c of cmds) {
    if (c.kind === 'setPools') {
      const before = new Map(a.assignments().map((x) => [x.key, x.ips]));
      pools = POOL_SETS[c.set] as Pool[];
      const released = a.setPools(pools);
      for (const [key, ips] of before) {
        // released keys hold nothing; the others kept exactly their addresses
        if (released.includes(key)) expect(a.assignmentOf(key)).toBeUndefined();
        else expect(a.assignmentOf(key)?.ips).toEqual(ips);
      }
    } else if (c.kind === 'release') {
      a.release(c.key);
      expect(a.assignmentOf(c.key)).toBeUndefined();
    } else {
      const r = c.kind === 'assign' ? a.assign(c.req) : a.restore(c.req, c.ips);
      if (r.ok) {
        requestOf.set(c.req.key, c.req);
        expect(a.assignmentOf(c.req.key)).toEqual(r.assignment);
        if (c.kind === 'restore')
          expect([...r.assignment.ips].sort()).toEqual(
            c.ips.map((t) => formatIp(familyOf(t), parseIp(t)!.value)).sort(),
          );
      } else {
        expect(r.error.message.length).toBeGreaterThan(0);
      }
    }
    checkInvariants(a, pools, requestOf);
  }
  return pools;
}

describe('allocator properties', () => {
  it('random sequences keep every invariant; the free set seen through the API is exactly the unheld addresses', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 40 }), (cmds) => {
        const a = new Allocator();
        const requestOf = new Map<string, AllocationRequest>();
        const pools = runCommands(a, cmds, requestOf);
        const expected = expectedFree(a, pools);
        expect(drain(a, pools)).toEqual(expected);
      }),
      { numRuns: 250 },
    );
  });

  it('assign, release, assign again from the same state: release restores the state exactly', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 30 }), requestArb, (cmds, probeReq) => {
        const a = new Allocator();
        const requestOf = new Map<string, AllocationRequest>();
        const pools = runCommands(a, cmds, requestOf);
        const probe: AllocationRequest = { ...probeReq, key: 'probe/x', namespace: 'probe' };
        const snapshot = (): unknown => ({
          usage: a.usage(),
          assignments: a.assignments(),
          free: expectedFree(a, pools),
        });
        const before = snapshot();
        const first = a.assign(probe);
        if (first.ok) requestOf.set(probe.key, probe);
        checkInvariants(a, pools, requestOf);
        const afterFirst = snapshot();
        a.release(probe.key);
        expect(snapshot()).toEqual(before);
        const second = a.assign(probe);
        expect(second).toEqual(first);
        expect(snapshot()).toEqual(afterFirst);
        // the free set as the allocator's own structures see it matches the unheld addresses
        const unheld = expectedFree(a, pools);
        expect(drain(a, pools)).toEqual(unheld);
      }),
      { numRuns: 250 },
    );
  });
});
