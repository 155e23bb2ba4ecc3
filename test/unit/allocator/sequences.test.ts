// Table-driven allocator sequences: each case is a list of steps with the wanted result after each.
import { describe, expect, it } from 'vitest';
import { Allocator } from '../../../src/allocator/allocator.ts';
import type { AllocationErrorCode, AllocationRequest, PoolUsage } from '../../../src/allocator/types.ts';
import type { Pool } from '../../../src/config/model.ts';
import { DUAL, PREFER, V6, pool, selector, svc } from './fixtures.ts';

type Want = { ips?: string[]; pool?: string; error?: AllocationErrorCode; message?: string[] };
type Step =
  | { setPools: Pool[]; released?: string[] }
  | ({ assign: AllocationRequest } & Want)
  | ({ restore: AllocationRequest; from: string[] } & Want)
  | { release: string }
  | { holds: Record<string, string[] | undefined> }
  | { usage: Omit<PoolUsage, 'available'> & { available: bigint } };

interface Case {
  name: string;
  steps: Step[];
}

const A = pool('a', ['192.0.2.1-192.0.2.3']);
const DOC24 = pool('doc', ['198.51.100.0/24']);

const cases: Case[] = [
  // ---- basics ----
  {
    name: 'hands out the lowest free address and reuses a released one first',
    steps: [
      { setPools: [A] },
      { assign: svc('ns/a'), ips: ['192.0.2.1'], pool: 'a' },
      { assign: svc('ns/b'), ips: ['192.0.2.2'] },
      { assign: svc('ns/c'), ips: ['192.0.2.3'] },
      { assign: svc('ns/d'), error: 'PoolExhausted', message: ['"a"', 'ns/d'] },
      { release: 'ns/b' },
      { assign: svc('ns/d'), ips: ['192.0.2.2'] },
      { holds: { 'ns/a': ['192.0.2.1'], 'ns/b': undefined, 'ns/d': ['192.0.2.2'] } },
    ],
  },
  {
    name: 'assign is idempotent and keeps the address when ports change',
    steps: [
      { setPools: [A] },
      { assign: svc('ns/a'), ips: ['192.0.2.1'] },
      { assign: svc('ns/b'), ips: ['192.0.2.2'] },
      { release: 'ns/a' },
      { assign: svc('ns/b'), ips: ['192.0.2.2'] },
      { assign: svc('ns/b', { ports: [{ port: 443, protocol: 'TCP' }] }), ips: ['192.0.2.2'] },
    ],
  },
  {
    name: 'malformed requests are InvalidRequest, RequestedIpInvalid or FamilyMismatch, and change nothing',
    steps: [
      { setPools: [A] },
      { assign: svc('ns/a'), ips: ['192.0.2.1'] },
      {
        assign: svc('ns/a', { ports: [{ port: 70000, protocol: 'TCP' }] }),
        error: 'InvalidRequest',
        message: ['ports[0]'],
      },
      {
        assign: svc('ns/a', { ipFamilyPolicy: 'Dual' as never }),
        error: 'InvalidRequest',
        message: ['ipFamilyPolicy'],
      },
      { assign: svc(''), error: 'InvalidRequest' },
      { assign: svc('ns/b', { requestedIps: ['192.0.2.300'] }), error: 'RequestedIpInvalid', message: ['192.0.2.300'] },
      {
        assign: svc('ns/b', { requestedIps: ['192.0.2.2', '192.0.2.3'] }),
        error: 'FamilyMismatch',
        message: ['192.0.2.2', '192.0.2.3'],
      },
      { holds: { 'ns/a': ['192.0.2.1'], 'ns/b': undefined } },
    ],
  },
  // ---- families ----
  {
    name: 'SingleStack takes ipFamilies[0]',
    steps: [
      { setPools: [pool('d', ['192.0.2.0/30', '2001:db8::/126'])] },
      { assign: svc('ns/v6', V6), ips: ['2001:db8::'] },
      { assign: svc('ns/v4'), ips: ['192.0.2.0'] },
    ],
  },
  {
    name: 'RequireDualStack takes both families from the same pool, primary family first',
    steps: [
      { setPools: [pool('v4only', ['192.0.2.0/30']), pool('v6only', ['2001:db8::/126'])] },
      { assign: svc('ns/a', DUAL), error: 'DualStackUnavailable', message: ['"v4only"', '"v6only"'] },
      { setPools: [pool('v4only', ['192.0.2.0/30']), pool('both', ['198.51.100.8/30', '2001:db8::/126'])] },
      { assign: svc('ns/a', DUAL), ips: ['198.51.100.8', '2001:db8::'], pool: 'both' },
      { assign: svc('ns/b', { ...DUAL, ipFamilies: ['ipv6', 'ipv4'] }), ips: ['2001:db8::1', '198.51.100.9'] },
    ],
  },
  {
    name: 'RequireDualStack fails when the dual pool runs out of one family',
    steps: [
      { setPools: [pool('both', ['192.0.2.1-192.0.2.1', '2001:db8::/126'])] },
      { assign: svc('ns/a', DUAL), ips: ['192.0.2.1', '2001:db8::'] },
      { assign: svc('ns/b', DUAL), error: 'DualStackUnavailable', message: ['"both"'] },
      { assign: svc('ns/b', { ...DUAL, poolHint: 'both' }), error: 'PoolExhausted' },
      { assign: svc('ns/c', V6), ips: ['2001:db8::1'] },
    ],
  },
  {
    name: 'PreferDualStack: both when a pool has both, else one; prefers a dual pool over a higher-priority single-family one (MetalLB)',
    steps: [
      {
        setPools: [
          pool('v4', ['192.0.2.0/30'], { serviceAllocation: { priority: 1 } }),
          pool('both', ['198.51.100.8/30', '2001:db8::/126'], { serviceAllocation: { priority: 2 } }),
        ],
      },
      { assign: svc('ns/a', PREFER), ips: ['198.51.100.8', '2001:db8::'], pool: 'both' },
      { assign: svc('ns/s'), ips: ['192.0.2.0'], pool: 'v4' },
      { setPools: [pool('v4', ['192.0.2.0/30'])], released: ['ns/a'] },
      { assign: svc('ns/a', PREFER), ips: ['192.0.2.1'], pool: 'v4' },
      { setPools: [pool('v6', ['2001:db8::/126'])], released: ['ns/s', 'ns/a'] },
      { assign: svc('ns/a', PREFER), ips: ['2001:db8::'], pool: 'v6' },
    ],
  },
  {
    name: 'PreferDualStack holding one family gets the other added from the same pool, keeping the first',
    steps: [
      { setPools: [pool('both', ['192.0.2.0/30', '2001:db8::/126'])] },
      { restore: svc('ns/a', PREFER), from: ['192.0.2.2'], ips: ['192.0.2.2'] },
      { assign: svc('ns/a', PREFER), ips: ['192.0.2.2', '2001:db8::'] },
      { usage: { pool: 'both', family: 'ipv6', assigned: 1, available: 3n } },
    ],
  },
  {
    name: 'a pool without the family: FamilyMismatch with a hint, NoPoolAvailable without',
    steps: [
      { setPools: [pool('v4', ['192.0.2.0/30'])] },
      { assign: svc('ns/a', { ...V6, poolHint: 'v4' }), error: 'FamilyMismatch', message: ['"v4"', 'IPv6'] },
      { assign: svc('ns/a', V6), error: 'NoPoolAvailable', message: ['IPv6'] },
    ],
  },
  // ---- requested IPs ----
  {
    name: 'requested IPs: in a pool (even autoAssign false), free, right family, right pool',
    steps: [
      { setPools: [A, pool('manual', ['198.51.100.0/28'], { autoAssign: false }), pool('v6', ['2001:db8::/64'])] },
      { assign: svc('ns/a', { requestedIps: ['198.51.100.7'] }), ips: ['198.51.100.7'], pool: 'manual' },
      {
        assign: svc('ns/b', { requestedIps: ['198.51.100.7'] }),
        error: 'RequestedIpInUse',
        message: ['198.51.100.7', 'ns/a'],
      },
      {
        assign: svc('ns/c', { requestedIps: ['203.0.113.9'] }),
        error: 'RequestedIpNotInPool',
        message: ['203.0.113.9'],
      },
      { assign: svc('ns/c', { requestedIps: ['2001:db8::5'] }), error: 'FamilyMismatch', message: ['2001:db8::5'] },
      {
        assign: svc('ns/c', { requestedIps: ['198.51.100.8'], poolHint: 'a' }),
        error: 'RequestedIpNotInPool',
        message: ['"a"', '"manual"'],
      },
      { assign: svc('ns/c', { requestedIps: ['198.51.100.8'], poolHint: 'nope' }), error: 'NoSuchPool' },
      { assign: svc('ns/c', { requestedIps: ['198.51.100.8'], poolHint: 'manual' }), ips: ['198.51.100.8'] },
      {
        assign: svc('ns/d', { ...DUAL, requestedIps: ['2001:db8::7', '198.51.100.9'] }),
        error: 'RequestedIpNotInPool',
        message: ['one pool'],
      },
      {
        assign: svc('ns/d', { ...DUAL, requestedIps: ['198.51.100.9'] }),
        error: 'FamilyMismatch',
        message: ['RequireDualStack'],
      },
      { assign: svc('ns/e', { requestedIps: ['2001:DB8:0::9'], ...V6 }), ips: ['2001:db8::9'], pool: 'v6' },
    ],
  },
  {
    name: 'changing the requested IP moves the service; a change that cannot be met keeps the old address',
    steps: [
      { setPools: [A] },
      { assign: svc('ns/a'), ips: ['192.0.2.1'] },
      { assign: svc('ns/a', { requestedIps: ['192.0.2.3'] }), ips: ['192.0.2.3'] },
      { assign: svc('ns/b'), ips: ['192.0.2.1'] },
      { assign: svc('ns/a', { requestedIps: ['192.0.2.1'] }), error: 'RequestedIpInUse' },
      { holds: { 'ns/a': ['192.0.2.3'] } },
      { assign: svc('ns/a', { poolHint: 'missing' }), error: 'NoSuchPool' },
      { holds: { 'ns/a': ['192.0.2.3'] } },
      { release: 'ns/b' },
      { assign: svc('ns/a', { requestedIps: ['192.0.2.1'] }), ips: ['192.0.2.1'] },
      { assign: svc('ns/c'), ips: ['192.0.2.2'] },
      { assign: svc('ns/d'), ips: ['192.0.2.3'] }, // freed when ns/a moved
    ],
  },
  // ---- pool choice ----
  {
    name: 'pool hint: NoSuchPool, PoolNotAllowed, and a non-autoAssign pool is fine when named',
    steps: [
      {
        setPools: [
          A,
          pool('manual', ['198.51.100.0/30'], { autoAssign: false }),
          pool('team', ['203.0.113.0/30'], { serviceAllocation: { namespaces: ['team'] } }),
        ],
      },
      { assign: svc('ns/a', { poolHint: 'missing' }), error: 'NoSuchPool', message: ['"missing"'] },
      {
        assign: svc('ns/a', { poolHint: 'team' }),
        error: 'PoolNotAllowed',
        message: ['"team"', 'ns/a', 'namespaces [team]'],
      },
      { assign: svc('ns/a', { poolHint: 'manual' }), ips: ['198.51.100.0'], pool: 'manual' },
      { assign: svc('team/x', { poolHint: 'team' }), ips: ['203.0.113.0'], pool: 'team' },
    ],
  },
  {
    name: 'no hint: only autoAssign pools; none → NoPoolAvailable',
    steps: [
      { setPools: [pool('manual', ['198.51.100.0/30'], { autoAssign: false })] },
      { assign: svc('ns/a'), error: 'NoPoolAvailable', message: ['autoAssign'] },
      { setPools: [pool('manual', ['198.51.100.0/30'], { autoAssign: false }), A] },
      { assign: svc('ns/a'), ips: ['192.0.2.1'], pool: 'a' },
    ],
  },
  {
    name: 'serviceAllocation: namespaces, namespaceSelectors, serviceSelectors; pinned pools before the rest',
    steps: [
      {
        setPools: [
          pool('general', ['192.0.2.0/30']),
          pool('by-ns', ['198.51.100.0/30'], { serviceAllocation: { namespaces: ['blue'] } }),
          pool('by-ns-label', ['198.51.100.8/30'], {
            serviceAllocation: { namespaceSelectors: [selector({ env: 'prod' })] },
          }),
          pool('by-svc-label', ['203.0.113.0/30'], {
            serviceAllocation: { serviceSelectors: [selector({ app: 'web' })] },
          }),
        ],
      },
      { assign: svc('blue/a'), ips: ['198.51.100.0'], pool: 'by-ns' },
      { assign: svc('red/a', { namespaceLabels: { env: 'prod' } }), ips: ['198.51.100.8'], pool: 'by-ns-label' },
      { assign: svc('red/b', { labels: { app: 'web' } }), ips: ['203.0.113.0'], pool: 'by-svc-label' },
      { assign: svc('red/c', { labels: { app: 'db' } }), ips: ['192.0.2.0'], pool: 'general' },
    ],
  },
  {
    name: 'serviceAllocation with no general pool: a non-matching service gets NoPoolAvailable',
    steps: [
      { setPools: [pool('team', ['203.0.113.0/30'], { serviceAllocation: { namespaces: ['team'] } })] },
      { assign: svc('other/a'), error: 'NoPoolAvailable', message: ['"team"', 'namespace "other"'] },
    ],
  },
  {
    name: 'priority: lower number first, no priority after numbered ones, then configuration order; full pool → next',
    steps: [
      {
        setPools: [
          pool('none', ['203.0.113.0/30'], { serviceAllocation: { namespaces: ['ns'] } }),
          pool('p20', ['198.51.100.0/30'], { serviceAllocation: { priority: 20, namespaces: ['ns'] } }),
          pool('p10', ['192.0.2.1-192.0.2.2'], { serviceAllocation: { priority: 10, namespaces: ['ns'] } }),
          pool('p10b', ['192.0.2.8/30'], { serviceAllocation: { priority: 10, namespaces: ['ns'] } }),
        ],
      },
      { assign: svc('ns/a'), pool: 'p10', ips: ['192.0.2.1'] },
      { assign: svc('ns/b'), pool: 'p10', ips: ['192.0.2.2'] },
      { assign: svc('ns/c'), pool: 'p10b', ips: ['192.0.2.8'] },
      { assign: svc('ns/d'), pool: 'p10b' },
      { assign: svc('ns/e'), pool: 'p10b' },
      { assign: svc('ns/f'), pool: 'p10b' },
      { assign: svc('ns/g'), pool: 'p20', ips: ['198.51.100.0'] },
    ],
  },
  // ---- avoid-buggy-ips ----
  {
    name: 'avoid-buggy-ips skips .0 and .255, in allocation, requests and usage',
    steps: [
      { setPools: [pool('doc', ['198.51.100.0/24', '203.0.113.254-203.0.113.255'], { avoidBuggyIPs: true })] },
      { usage: { pool: 'doc', family: 'ipv4', assigned: 0, available: 255n } },
      { assign: svc('ns/a'), ips: ['198.51.100.1'] },
      {
        assign: svc('ns/b', { requestedIps: ['198.51.100.255'] }),
        error: 'RequestedIpNotInPool',
        message: ['.255', 'avoidBuggyIPs'],
      },
      { assign: svc('ns/b', { requestedIps: ['203.0.113.254'] }), ips: ['203.0.113.254'] },
      { usage: { pool: 'doc', family: 'ipv4', assigned: 2, available: 253n } },
    ],
  },
  {
    name: 'without avoid-buggy-ips .0 is handed out',
    steps: [
      { setPools: [DOC24] },
      { assign: svc('ns/a'), ips: ['198.51.100.0'] },
      { usage: { pool: 'doc', family: 'ipv4', assigned: 1, available: 255n } },
    ],
  },
  // ---- sharing ----
  {
    name: 'sharing: same key and different ports share; a port clash takes another address',
    steps: [
      { setPools: [A] },
      { assign: svc('ns/a', { sharingKey: 'k' }), ips: ['192.0.2.1'] },
      { assign: svc('ns/b', { sharingKey: 'k', ports: [{ port: 53, protocol: 'UDP' }] }), ips: ['192.0.2.1'] },
      { assign: svc('ns/c', { sharingKey: 'k' }), ips: ['192.0.2.2'] },
      { usage: { pool: 'a', family: 'ipv4', assigned: 2, available: 1n } },
      { release: 'ns/a' },
      { holds: { 'ns/b': ['192.0.2.1'] } },
      { usage: { pool: 'a', family: 'ipv4', assigned: 2, available: 1n } },
    ],
  },
  {
    name: 'sharing: same protocol number on another protocol is no clash',
    steps: [
      { setPools: [A] },
      { assign: svc('ns/a', { sharingKey: 'k', ports: [{ port: 53, protocol: 'TCP' }] }), ips: ['192.0.2.1'] },
      { assign: svc('ns/b', { sharingKey: 'k', ports: [{ port: 53, protocol: 'UDP' }] }), ips: ['192.0.2.1'] },
    ],
  },
  {
    name: 'sharing: requested shared address — every rule has its code',
    steps: [
      { setPools: [A] },
      { assign: svc('ns/a', { sharingKey: 'k' }), ips: ['192.0.2.1'] },
      { assign: svc('ns/plain'), ips: ['192.0.2.2'] },
      {
        assign: svc('ns/b', { requestedIps: ['192.0.2.1'], ports: [{ port: 81, protocol: 'TCP' }] }),
        error: 'RequestedIpInUse',
        message: ['allow-shared-ip', '"k"'],
      },
      {
        assign: svc('ns/b', { requestedIps: ['192.0.2.2'], sharingKey: 'k' }),
        error: 'RequestedIpInUse',
        message: ['ns/plain', 'does not allow sharing'],
      },
      {
        assign: svc('ns/b', { requestedIps: ['192.0.2.1'], sharingKey: 'other', ports: [] }),
        error: 'SharingKeyMismatch',
        message: ['"k"', '"other"'],
      },
      {
        assign: svc('ns/b', { requestedIps: ['192.0.2.1'], sharingKey: 'k' }),
        error: 'PortConflict',
        message: ['TCP/80', 'ns/a'],
      },
      {
        assign: svc('ns/b', {
          requestedIps: ['192.0.2.1'],
          sharingKey: 'k',
          externalTrafficPolicy: 'Local',
          backendKey: 'app=x',
          ports: [],
        }),
        error: 'BackendMismatch',
      },
      {
        assign: svc('ns/b', { requestedIps: ['192.0.2.1'], sharingKey: 'k', ports: [{ port: 443, protocol: 'TCP' }] }),
        ips: ['192.0.2.1'],
      },
    ],
  },
  {
    name: 'sharing with externalTrafficPolicy Local: same selector shares, different selector does not',
    steps: [
      { setPools: [A] },
      {
        assign: svc('ns/a', { sharingKey: 'k', externalTrafficPolicy: 'Local', backendKey: 'app=web' }),
        ips: ['192.0.2.1'],
      },
      {
        assign: svc('ns/b', {
          sharingKey: 'k',
          externalTrafficPolicy: 'Local',
          backendKey: 'app=web',
          ports: [{ port: 443, protocol: 'TCP' }],
        }),
        ips: ['192.0.2.1'],
      },
      {
        assign: svc('ns/c', {
          sharingKey: 'k',
          externalTrafficPolicy: 'Local',
          backendKey: 'app=db',
          ports: [{ port: 5432, protocol: 'TCP' }],
        }),
        ips: ['192.0.2.2'],
      },
      { assign: svc('ns/d', { sharingKey: 'k', ports: [{ port: 8080, protocol: 'TCP' }] }), ips: ['192.0.2.3'] },
      {
        assign: svc('ns/e', {
          requestedIps: ['192.0.2.1'],
          sharingKey: 'k',
          externalTrafficPolicy: 'Local',
          backendKey: 'app=db',
          ports: [],
        }),
        error: 'BackendMismatch',
        message: ['app=web', 'app=db'],
      },
    ],
  },
  {
    name: 'auto-assignment with a sharing key prefers an address already shared under it over a lower free one',
    steps: [
      { setPools: [A] },
      { assign: svc('ns/x'), ips: ['192.0.2.1'] },
      { assign: svc('ns/a', { sharingKey: 'k' }), ips: ['192.0.2.2'] },
      { release: 'ns/x' },
      { assign: svc('ns/b', { sharingKey: 'k', ports: [{ port: 443, protocol: 'TCP' }] }), ips: ['192.0.2.2'] },
      { assign: svc('ns/c', { sharingKey: 'other' }), ips: ['192.0.2.1'] },
    ],
  },
  {
    name: 'many services under one sharing key with the same port each get their own address; a new port joins the lowest',
    steps: [
      { setPools: [pool('a', ['192.0.2.0/29'])] },
      { assign: svc('ns/a', { sharingKey: 'k' }), ips: ['192.0.2.0'] },
      { assign: svc('ns/b', { sharingKey: 'k' }), ips: ['192.0.2.1'] },
      { assign: svc('ns/c', { sharingKey: 'k' }), ips: ['192.0.2.2'] },
      { assign: svc('ns/d', { sharingKey: 'k', ports: [{ port: 443, protocol: 'TCP' }] }), ips: ['192.0.2.0'] },
      { assign: svc('ns/e', { sharingKey: 'k', ports: [{ port: 443, protocol: 'TCP' }] }), ips: ['192.0.2.1'] },
      {
        assign: svc('ns/f', {
          sharingKey: 'k',
          ports: [
            { port: 443, protocol: 'TCP' },
            { port: 80, protocol: 'TCP' },
          ],
        }),
        ips: ['192.0.2.3'],
      },
      {
        assign: svc('ns/b', {
          sharingKey: 'k',
          ports: [
            { port: 80, protocol: 'TCP' },
            { port: 8080, protocol: 'TCP' },
          ],
        }),
        ips: ['192.0.2.1'],
      },
      { release: 'ns/a' },
      { assign: svc('ns/g', { sharingKey: 'k', ports: [{ port: 80, protocol: 'TCP' }] }), ips: ['192.0.2.0'] },
    ],
  },
  {
    name: 'a lone holder may change its sharing key in place (MetalLB); with company it moves',
    steps: [
      { setPools: [A] },
      { assign: svc('ns/a', { sharingKey: 'k' }), ips: ['192.0.2.1'] },
      { assign: svc('ns/a', { sharingKey: 'k2' }), ips: ['192.0.2.1'] },
      { assign: svc('ns/b', { sharingKey: 'k2', ports: [{ port: 443, protocol: 'TCP' }] }), ips: ['192.0.2.1'] },
      { assign: svc('ns/a', { sharingKey: 'k3' }), ips: ['192.0.2.2'] },
      { holds: { 'ns/b': ['192.0.2.1'] } },
    ],
  },
  // ---- setPools ----
  {
    name: 'setPools: removed or shrunk pool releases, serviceAllocation change releases, valid ones keep their IPs',
    steps: [
      { setPools: [pool('a', ['192.0.2.0/29']), pool('b', ['198.51.100.0/30'])] },
      { assign: svc('ns/a1'), ips: ['192.0.2.0'] },
      { assign: svc('ns/a2'), ips: ['192.0.2.1'] },
      { assign: svc('ns/a3', { requestedIps: ['192.0.2.6'] }), ips: ['192.0.2.6'] },
      { assign: svc('ns/b1', { poolHint: 'b' }), ips: ['198.51.100.0'] },
      { setPools: [pool('a', ['192.0.2.0/30'])], released: ['ns/a3', 'ns/b1'] },
      { holds: { 'ns/a1': ['192.0.2.0'], 'ns/a2': ['192.0.2.1'], 'ns/a3': undefined, 'ns/b1': undefined } },
      { assign: svc('ns/new'), ips: ['192.0.2.2'] },
      {
        setPools: [pool('a', ['192.0.2.0/30'], { serviceAllocation: { namespaces: ['other'] } })],
        released: ['ns/a1', 'ns/a2', 'ns/new'],
      },
      { usage: { pool: 'a', family: 'ipv4', assigned: 0, available: 4n } },
    ],
  },
  {
    name: 'setPools: avoid-buggy-ips turned on releases a .0 holder; a renamed pool keeps assignments without a hint',
    steps: [
      { setPools: [pool('a', ['198.51.100.0/30'])] },
      { assign: svc('ns/zero'), ips: ['198.51.100.0'] },
      { assign: svc('ns/one'), ips: ['198.51.100.1'] },
      { assign: svc('ns/hinted', { poolHint: 'a' }), ips: ['198.51.100.2'] },
      { setPools: [pool('renamed', ['198.51.100.0/30'], { avoidBuggyIPs: true })], released: ['ns/zero', 'ns/hinted'] },
      { holds: { 'ns/one': ['198.51.100.1'] } },
      { assign: svc('ns/one'), ips: ['198.51.100.1'], pool: 'renamed' },
      { assign: svc('ns/next'), ips: ['198.51.100.2'] },
    ],
  },
  {
    name: 'assign moves a service whose namespace labels no longer match its pool',
    steps: [
      {
        setPools: [
          pool('prod', ['198.51.100.0/30'], { serviceAllocation: { namespaceSelectors: [selector({ env: 'prod' })] } }),
          pool('general', ['192.0.2.0/30']),
        ],
      },
      { assign: svc('ns/a', { namespaceLabels: { env: 'prod' } }), ips: ['198.51.100.0'], pool: 'prod' },
      { assign: svc('ns/a', { namespaceLabels: { env: 'dev' } }), ips: ['192.0.2.0'], pool: 'general' },
    ],
  },
  // ---- restore ----
  {
    name: 'restore takes exactly the status addresses when valid, else says why',
    steps: [
      { setPools: [A, pool('team', ['198.51.100.0/30'], { serviceAllocation: { namespaces: ['team'] } })] },
      { restore: svc('ns/a'), from: ['192.0.2.3'], ips: ['192.0.2.3'], pool: 'a' },
      { restore: svc('ns/b'), from: ['192.0.2.3'], error: 'RequestedIpInUse', message: ['ns/a'] },
      { restore: svc('ns/b'), from: ['203.0.113.1'], error: 'RequestedIpNotInPool' },
      { restore: svc('ns/b'), from: ['198.51.100.1'], error: 'PoolNotAllowed', message: ['"team"'] },
      { restore: svc('ns/b', { requestedIps: ['192.0.2.2'] }), from: ['192.0.2.1'], error: 'RequestedIpChanged' },
      {
        restore: svc('ns/b', { poolHint: 'team' }),
        from: ['192.0.2.1'],
        error: 'RequestedIpNotInPool',
        message: ['"team"'],
      },
      { restore: svc('ns/b'), from: ['not-an-ip'], error: 'RequestedIpInvalid', message: ['not-an-ip'] },
      { restore: svc('ns/b'), from: [], error: 'InvalidRequest' },
      { restore: svc('ns/a'), from: ['192.0.2.3'], ips: ['192.0.2.3'] },
      { assign: svc('ns/c'), ips: ['192.0.2.1'] },
      { assign: svc('ns/d'), ips: ['192.0.2.2'] },
    ],
  },
  {
    name: 'restore of a dual-stack service from two pools is refused',
    steps: [
      { setPools: [pool('v4', ['192.0.2.0/30']), pool('v6', ['2001:db8::/126'])] },
      {
        restore: svc('ns/a', DUAL),
        from: ['192.0.2.1', '2001:db8::1'],
        error: 'RequestedIpNotInPool',
        message: ['"v4"', '"v6"'],
      },
    ],
  },
];

function run(c: Case): void {
  const a = new Allocator();
  c.steps.forEach((step, i) => {
    const where = `step ${i} ${JSON.stringify(step, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`;
    if ('setPools' in step) {
      expect(a.setPools(step.setPools), where).toEqual(step.released ?? []);
    } else if ('release' in step) {
      a.release(step.release);
      expect(a.assignmentOf(step.release), where).toBeUndefined();
    } else if ('holds' in step) {
      for (const [key, ips] of Object.entries(step.holds))
        expect(a.assignmentOf(key)?.ips, `${where} ${key}`).toEqual(ips);
    } else if ('usage' in step) {
      const u = a.usage().find((x) => x.pool === step.usage.pool && x.family === step.usage.family);
      expect(u, where).toEqual(step.usage);
    } else {
      const result = 'assign' in step ? a.assign(step.assign) : a.restore(step.restore, step.from);
      const key = 'assign' in step ? step.assign.key : step.restore.key;
      if (step.error) {
        expect(result.ok ? result.assignment : result.error.code, where).toBe(step.error);
        if (!result.ok) for (const m of step.message ?? []) expect(result.error.message, where).toContain(m);
      } else {
        expect(result.ok ? 'ok' : result.error, where).toBe('ok');
        if (!result.ok) return;
        if (step.ips) expect(result.assignment.ips, where).toEqual(step.ips);
        if (step.pool) expect(result.assignment.pool, where).toBe(step.pool);
        expect(a.assignmentOf(key), where).toEqual(result.assignment);
      }
    }
  });
}

describe('allocator sequences', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(20));
  for (const c of cases) it(c.name, () => run(c));
});
