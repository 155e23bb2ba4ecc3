// The README's commands, run in-process on the README's examples.
import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.ts';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

describe('ferrolb config check', () => {
  it('prints one line per pool for the legacy ConfigMap example', async () => {
    const r = await run(['config', 'check', 'examples/config/configmap.yaml']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toEqual([
      'lan  protocol=layer2  families=ipv4,ipv6  addresses=288',
      'public  protocol=bgp  families=ipv4,ipv6  addresses=511', // 2001:db8:100::/120 without its Subnet-Router anycast address
      'reserved  protocol=layer2  families=ipv4  addresses=11',
    ]);
  });

  it('accepts the metallb.io CRD example', async () => {
    const r = await run(['config', 'check', 'examples/config/crds.yaml']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^lan {2}protocol=layer2 {2}families=ipv4,ipv6 {2}addresses=\d+$/m);
  });

  it('reports every problem with its location and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferrolb-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'address-pools:',
        '- name: a',
        '  protocol: layer2',
        '  addresses: [192.0.2.10-192.0.2.5]',
        '  auto-asign: false',
        '- name: a',
        '  protocol: bgp',
        '  addresses: [198.51.100.0/33]',
      ].join('\n'),
    );
    const r = await run(['config', 'check', file]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain(
      `${file}:address-pools[0].auto-asign: unknown field "auto-asign" (did you mean "auto-assign"?)`,
    );
    expect(r.err).toContain(`${file}:address-pools[0].addresses[0]:`);
    expect(r.err).toContain(`${file}:address-pools[1].addresses[0]:`);
    expect(r.err).toMatch(/address-pools\[1\]\.name: .*duplicate/i);
  });

  it('reports the README example of a broken configuration, every problem with its location', async () => {
    const f = 'examples/config/invalid.yaml';
    const r = await run(['config', 'check', f]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toEqual([
      `${f}:address-pools[0].auto-asign: unknown field "auto-asign" (did you mean "auto-assign"?)`,
      `${f}:address-pools[0].addresses[0]: invalid IP range "192.0.2.10-192.0.2.5": first address 192.0.2.10 is after last address 192.0.2.5`,
      `${f}:address-pools[1].bgp-advertisements[0].communities[0]: unknown community alias "nope"`,
      `${f}:address-pools[1].bgp-advertisements[0].communities[1]: invalid community "65536:1": "65536" is not a number in 0..65535`,
      `${f}:address-pools[1].addresses[0]: "198.51.100.128/25" of pool "b" overlaps "198.51.100.0/24" of pool "a"`,
      `${f}:peers[0].hold-time: hold time 2s is invalid: must be 0 (no keepalives) or at least 3s`,
      `${f}:peers[0].ebgp-multihop: eBGP multi-hop cannot be set on an iBGP peer (local and peer ASN are both 64500)`,
      '7 problems found',
    ]);
  });

  it('names a missing file', async () => {
    const r = await run(['config', 'check', 'no/such/file.yaml']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('no/such/file.yaml: cannot read file (ENOENT)');
  });
});

describe('ferrolb allocate', () => {
  it('assigns the README example Services in file order', async () => {
    const r = await run([
      'allocate',
      '--config',
      'examples/config/configmap.yaml',
      '--services',
      'examples/services.yaml',
    ]);
    const lines = r.out.trim().split('\n');
    expect(lines).toEqual([
      'shop/web  192.0.2.64  pool=lan',
      'shop/api  192.0.2.65,2001:db8:0:1::100  pool=lan',
      'shop/edge  198.51.100.1  pool=public',
      'infra/dns-tcp  203.0.113.15  pool=reserved',
      'infra/dns-udp  203.0.113.15  pool=reserved',
      expect.stringMatching(/^infra\/dns-clash {2}error: .*TCP\/53.*infra\/dns-tcp/),
      expect.stringMatching(/^shop\/other {2}skipped: .*loadBalancerClass/),
      expect.stringMatching(/^shop\/internal {2}skipped: .*ClusterIP/),
    ]);
    expect(r.code).toBe(1); // one Service could not be allocated
  });

  it('keeps IPs already in a Service status, as a restarted controller does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferrolb-cli-'));
    const file = join(dir, 'svc.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: List',
        'items:',
        '- {apiVersion: v1, kind: Service, metadata: {name: new, namespace: a}, spec: {type: LoadBalancer}}',
        '- apiVersion: v1',
        '  kind: Service',
        '  metadata: {name: old, namespace: a}',
        '  spec: {type: LoadBalancer}',
        '  status: {loadBalancer: {ingress: [{ip: 192.0.2.64}]}}',
      ].join('\n'),
    );
    const r = await run(['allocate', '--config', 'examples/config/configmap.yaml', '--services', file]);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toEqual(['a/new  192.0.2.65  pool=lan', 'a/old  192.0.2.64  pool=lan']);
  });

  it('locates YAML errors in the Services file and allocates nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferrolb-cli-'));
    const file = join(dir, 'svc.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata: {name: a\n---\n- 1\n');
    const r = await run(['allocate', '--config', 'examples/config/configmap.yaml', '--services', file]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(new RegExp(`^${file}:4:1: YAML syntax error: `, 'm'));
  });

  it('rejects a missing option with usage', async () => {
    const r = await run(['allocate', '--config', 'examples/config/configmap.yaml']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/usage: ferrolb allocate/);
  });
});

describe('every subcommand reads its flags with parseArgs and has a real --help', () => {
  it.each([
    [['config', '--help'], /^usage: ferrolb config check FILE\.\.\./],
    [['config', 'check', '-h'], /^usage: ferrolb config check FILE\.\.\./],
    [['allocate', '--help'], /^usage: ferrolb allocate --config FILE\.\.\. --services FILE\.\.\./],
    [
      ['bgp', '--help'],
      /^usage: ferrolb bgp --config FILE\.\.\.[\s\S]*--connect-retry MIN:MAX[\s\S]*all routes advertised/,
    ],
    [['lab', '--help'], /^usage: ferrolb lab \[--once\][\s\S]*~\/\.cache\/ferrolb\/k8s/],
    [['--help'], /^usage:\n {2}ferrolb config check/],
  ])('%j prints its usage on stdout and exits 0', async (args, usage) => {
    const r = await run(args);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(usage);
  });

  it.each([
    [['config', 'check', '--bogus', 'x.yaml'], /^ferrolb config: unknown option --bogus\nusage: ferrolb config/],
    [['config', 'lint', 'x.yaml'], /^ferrolb config: unknown subcommand "lint"\nusage:/],
    [['allocate', '--config'], /^ferrolb allocate: --config needs a value\nusage: ferrolb allocate/],
    [['allocate', '--config', 'a.yaml', 'stray'], /^ferrolb allocate: unexpected argument "stray"\nusage:/],
    [['lab', '--once=yes'], /^ferrolb lab: --once takes no value\nusage: ferrolb lab/],
    [['bgp', '--gtsm=1'], /^ferrolb bgp: --gtsm takes no value/],
    [['frobnicate'], /^ferrolb: unknown command "frobnicate"\nusage:/],
    [['constructor'], /^ferrolb: unknown command "constructor"\nusage:/],
  ])('%j: a usage error names the flag, exit 2', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
  });
});
