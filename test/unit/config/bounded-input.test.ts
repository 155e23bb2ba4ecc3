// Names the API would refuse are refused here, and no message quotes more than a few hundred characters
// of the input, whatever its size (a 1 MB value used to be logged whole).
import { describe, expect, it } from 'vitest';
import { parseConfigMap } from '../../../src/config/index.ts';
import { excerpt, quote } from '../../../src/config/excerpt.ts';
import { serviceToRequest } from '../../../src/k8s/service-request.ts';
import { problemLines } from './helpers.ts';

const pool = (name: string, extra = '') =>
  `address-pools:\n- name: ${JSON.stringify(name)}\n  protocol: layer2\n  addresses: [192.0.2.0/24]\n${extra}`;
const MB = 1_000_000;

describe('bounded input', () => {
  it('pool names must be DNS-1123 subdomains of at most 253 characters (the API refuses longer annotation-borne names)', () => {
    expect(problemLines(parseConfigMap(pool('x'.repeat(140_000)), 'cm'))).toEqual([
      expect.stringMatching(
        /^cm:address-pools\[0\]\.name: pool name "x{60}"… \(\+139940 more characters\) is 140000 characters long; at most 253/,
      ),
    ]);
    expect(problemLines(parseConfigMap(pool('My_Pool'), 'cm'))[0]).toMatch(/"My_Pool" is not a DNS-1123 subdomain/);
    expect(parseConfigMap(pool('a'.repeat(253)), 'cm').ok).toBe(true);
    expect(parseConfigMap(pool('lan.example-1'), 'cm').ok).toBe(true);
  });

  it('a 1 MB bad value or unknown key yields problems of a few hundred characters, with their location', () => {
    const hugeValue = parseConfigMap(
      `address-pools:\n- name: a\n  protocol: layer2\n  addresses: [192.0.2.0/24]\n  auto-assign: "${'y'.repeat(MB)}"\n`,
      'cm',
    );
    const hugeKey = parseConfigMap(
      `address-pools:\n- name: a\n  protocol: layer2\n  addresses: [192.0.2.0/24]\n  ${'k'.repeat(MB)}: 1\n`,
      'cm',
    );
    const valueLines = problemLines(hugeValue);
    expect(valueLines).toEqual([
      expect.stringMatching(
        /^cm:address-pools\[0\]\.auto-assign: must be true or false \(got string "y{200}"… \(\+999800 more characters\)\)$/,
      ),
    ]);
    // A key that long is a YAML syntax error (keys are at most 1024 characters): located by line:column.
    const keyLines = problemLines(hugeKey);
    expect(keyLines.length).toBeGreaterThan(0);
    for (const l of [...valueLines, ...keyLines]) expect(l.length).toBeLessThan(1000);
    expect(keyLines[0]).toMatch(/^cm:\d+:\d+: /);
    // The same key in JSON (no YAML key limit) is an unknown field, quoted in part.
    const jsonKey = parseConfigMap(
      JSON.stringify({
        'address-pools': [{ name: 'a', protocol: 'layer2', addresses: ['192.0.2.0/24'], ['k'.repeat(MB)]: 1 }],
      }),
      'cm',
    );
    const jsonLines = problemLines(jsonKey);
    expect(jsonLines.length).toBeGreaterThan(0);
    for (const l of jsonLines) {
      expect(l.length).toBeLessThan(1000);
      expect(l).toMatch(
        /^cm:address-pools\[0\]\.k+… \(\+\d+ more characters\): unknown field "k+"… \(\+\d+ more characters\)$/,
      );
    }
  });

  it('a Service with a 1 MB annotation gets a bounded error message', () => {
    const r = serviceToRequest({
      metadata: { name: 's', namespace: 'n', annotations: { 'metallb.io/loadBalancerIPs': 'z'.repeat(MB) } },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    });
    expect(r.kind).toBe('error');
    if (r.kind === 'error') {
      expect(r.message.length).toBeLessThan(700);
      expect(r.message).toMatch(/^Service n\/s: "z+"… \(\+999800 more characters\) in the loadBalancerIPs annotation/);
    }
  });

  it('excerpt and quote', () => {
    expect(excerpt('abc', 5)).toBe('abc');
    expect(excerpt('abcdef', 3)).toBe('abc… (+3 more characters)');
    expect(quote('a"b')).toBe('"a\\"b"');
    expect(quote('x'.repeat(10), 4)).toBe('"xxxx"… (+6 more characters)');
  });
});
