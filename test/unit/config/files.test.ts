import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigMap, parseFiles } from '../../../src/config/index.ts';
import { okConfig, problemLines } from './helpers.ts';

const EXAMPLES = join(import.meta.dirname, '../../../examples/config');

function loadExamples(): { name: string; text: string }[] {
  const names = readdirSync(EXAMPLES).filter((n) => n.endsWith('.yaml'));
  // The fixture loader must find the examples, or these tests would silently test nothing.
  expect(names).toEqual(expect.arrayContaining(['configmap.yaml', 'crds.yaml']));
  return names.map((n) => ({ name: `examples/config/${n}`, text: readFileSync(join(EXAMPLES, n), 'utf8') }));
}

describe('examples/config', () => {
  const examples = loadExamples();
  const byName = (n: string) => examples.find((e) => e.name.endsWith(n))!;

  it('configmap.yaml parses, via parseConfigMap and parseFiles', () => {
    const file = byName('configmap.yaml');
    const c = okConfig(parseConfigMap(file.text, file.name));
    expect(okConfig(parseFiles([file]))).toEqual(c);
    expect(c.pools.map((p) => [p.name, p.protocols])).toEqual([
      ['lan', ['layer2']],
      ['public', ['bgp']],
      ['reserved', ['layer2']],
    ]);
    expect(c.peers.map((p) => p.name)).toEqual(['peer0-192.0.2.1', 'peer1-2001:db8::1']);
    expect(c.bgpAdvertisements.map((a) => [a.name, a.aggregationLength, a.aggregationLengthV6])).toEqual([
      ['public-bgp0', 32, 128],
      ['public-bgp1', 24, 120],
    ]);
    expect(c.bfdProfiles.map((p) => p.name)).toEqual(['fast']);
    expect(Object.keys(c.communityAliases)).toEqual(['no-advertise', 'backbone', 'tenant-blue']);
  });

  it('crds.yaml parses', () => {
    const c = okConfig(parseFiles([byName('crds.yaml')]));
    expect(c.pools.map((p) => [p.name, p.protocols])).toEqual([
      ['lan', ['layer2']],
      ['public', ['bgp']],
      ['team-blue', ['layer2']],
    ]);
    expect(c.l2Advertisements.map((a) => [a.name, a.pools])).toEqual([['lan', ['lan', 'team-blue']]]);
    expect(c.bgpAdvertisements.map((a) => [a.name, a.pools, a.peers])).toEqual([
      ['public-aggregate', ['public'], ['router-a']],
      ['public-hosts', ['public'], []],
    ]);
    expect(c.peers.map((p) => [p.name, p.bfdProfile])).toEqual([
      ['router-a', 'fast'],
      ['router-b', undefined],
    ]);
  });

  it('uses only documentation address ranges', () => {
    for (const e of examples) {
      const addresses = e.text.match(/\b\d+\.\d+\.\d+\.\d+\b/g) ?? [];
      expect(addresses.length).toBeGreaterThan(0);
      for (const a of addresses) expect(a, `${e.name}: ${a}`).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\./);
      for (const a of e.text.match(/\b[0-9a-f]{1,4}:[0-9a-f:]*:[0-9a-f:]*/gi) ?? []) {
        if (/^\d+:\d+$/.test(a)) continue; // communities
        expect(a.toLowerCase(), `${e.name}: ${a}`).toMatch(/^2001:db8:/);
      }
    }
  });
});

const POOL =
  'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: a, namespace: ns}\nspec: {addresses: [192.0.2.0/24]}\n';
const L2 = 'apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: l2, namespace: ns}\n';
const LEGACY = 'address-pools:\n- {name: a, protocol: layer2, addresses: [192.0.2.0/24]}\n';

describe('parseFiles', () => {
  it('reads CRDs from several files and multi-document YAML, skipping other kinds', () => {
    const c = okConfig(
      parseFiles([
        {
          name: 'ns.yaml',
          text: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n',
        },
        { name: 'pools.yaml', text: `${POOL}---\n${L2}---\n` },
      ]),
    );
    expect(c.pools.map((p) => [p.name, p.protocols])).toEqual([['a', ['layer2']]]);
  });

  it('reads a kubectl List', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'IPAddressPool',
          metadata: { name: 'a' },
          spec: { addresses: ['192.0.2.0/24'] },
        },
      ],
    };
    expect(okConfig(parseFiles([{ name: 'list.json', text: JSON.stringify(list) }])).pools).toHaveLength(1);
  });

  it('locates CRD problems at file:Kind/namespace/name', () => {
    const text = POOL.replace('[192.0.2.0/24]', '[192.0.2.0/24, 192.0.2.1/33]');
    expect(problemLines(parseFiles([{ name: 'pools.yaml', text }]))).toEqual([
      'pools.yaml:IPAddressPool/ns/a:spec.addresses[1]: "192.0.2.1/33" is not a CIDR: prefix length must be 0..32',
    ]);
  });

  it('locates problems across files (overlap between two files)', () => {
    const other = POOL.replace('name: a', 'name: b').replace('192.0.2.0/24', '192.0.2.7/32');
    expect(
      problemLines(
        parseFiles([
          { name: 'a.yaml', text: POOL },
          { name: 'b.yaml', text: other },
        ]),
      ),
    ).toEqual([
      'b.yaml:IPAddressPool/ns/b:spec.addresses[0]: "192.0.2.7/32" of pool "b" overlaps "192.0.2.0/24" of pool "a"',
    ]);
  });

  it('reads a bare legacy configuration and a ConfigMap', () => {
    expect(okConfig(parseFiles([{ name: 'config', text: LEGACY }])).pools).toHaveLength(1);
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config}\ndata:\n  config: |\n${LEGACY.replace(/^/gm, '    ')}`;
    expect(
      okConfig(
        parseFiles([{ name: 'cm.yaml', text: `apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n${cm}` }]),
      ).pools,
    ).toHaveLength(1);
  });

  it.each([
    [
      'legacy and CRDs mixed',
      [
        { name: 'cm.yaml', text: LEGACY },
        { name: 'pools.yaml', text: POOL },
      ],
      [
        'cm.yaml:(top level): use either the legacy ConfigMap or metallb.io objects, not both (metallb.io objects found at pools.yaml:IPAddressPool/ns/a)',
      ],
    ],
    [
      'two legacy configurations',
      [
        { name: 'one.yaml', text: LEGACY },
        { name: 'two.yaml', text: LEGACY },
      ],
      ['two.yaml:(top level): a second legacy configuration (the first is in one.yaml); use exactly one'],
    ],
    [
      'nothing to read',
      [{ name: 'ns.yaml', text: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n' }],
      [
        'ns.yaml:(top level): no configuration found: expected a MetalLB ConfigMap, a legacy configuration, or metallb.io objects',
      ],
    ],
    [
      'unknown metallb.io kind',
      [{ name: 'x.yaml', text: 'apiVersion: metallb.io/v1beta1\nkind: L2Advert\nmetadata: {name: x}\n' }],
      ['x.yaml:L2Advert/x:kind: unknown metallb.io kind "L2Advert"'],
    ],
    [
      'misspelled API group',
      [{ name: 'x.yaml', text: POOL.replace('metallb.io', 'metalb.io') }],
      ['x.yaml:IPAddressPool/ns/a:apiVersion: unknown API group "metalb.io" (did you mean "metallb.io"?)'],
    ],
    [
      'metallb kind under another group',
      [{ name: 'x.yaml', text: POOL.replace('metallb.io/v1beta1', 'v1') }],
      [
        'x.yaml:IPAddressPool/ns/a:apiVersion: IPAddressPool is a metallb.io kind: apiVersion must be metallb.io/v1beta1 (got v1)',
      ],
    ],
    [
      'ConfigMap with a misspelled config key',
      [{ name: 'x.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {confg: ""}\n' }],
      ['x.yaml:ConfigMap/c:data.confg: unknown key "confg" (did you mean "config"? MetalLB reads data.config)'],
    ],
    [
      'YAML syntax error with line:column',
      [{ name: 'x.yaml', text: `${POOL}---\nkind: A\nspec: {}\nkind: B\n` }],
      ['x.yaml:8:1: YAML syntax error: Map keys must be unique'],
    ],
    [
      'unnamed object located by line',
      [{ name: 'x.yaml', text: `${POOL}---\napiVersion: metallb.io/v1beta1\nkind: BFDProfile\nmetadata: {}\n` }],
      ['x.yaml:BFDProfile/<unnamed, line 6>:metadata.name: missing required field'],
    ],
  ])('rejects: %s', (_name, files, expected) => {
    expect(problemLines(parseFiles(files))).toEqual(expected);
  });
});
