// Bad input never crashes the parsers: whatever comes in, a ParseResult comes out, and every problem is
// located. Random values, random text, and valid examples with one field replaced by anything.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { parseConfigMap, parseCrds, parseFiles, type ParseResult } from '../../../src/config/index.ts';

const EXAMPLES = join(import.meta.dirname, '../../../examples/config');

function wellFormed(r: ParseResult): void {
  if (r.ok) return;
  expect(r.problems.length).toBeGreaterThan(0);
  for (const p of r.problems) {
    expect(typeof p.where).toBe('string');
    expect(typeof p.path).toBe('string');
    expect(p.message.length).toBeGreaterThan(0);
  }
}

/** Replaces the value at a random path (chosen by `pick`) with `value`; returns a deep copy. */
function mutate(root: unknown, pick: number, value: unknown): unknown {
  const copy = structuredClone(root);
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach((item, i) => (slots.push([v, i]), walk(item)));
    else if (typeof v === 'object' && v !== null) {
      for (const [k, item] of Object.entries(v)) {
        slots.push([v as Record<string, unknown>, k]);
        walk(item);
      }
    }
  };
  walk(copy);
  expect(slots.length).toBeGreaterThan(0);
  const [parent, key] = slots[pick % slots.length]!;
  (parent as Record<string | number, unknown>)[key] = value;
  return copy;
}

const crdObjects = parseAllDocuments(readFileSync(join(EXAMPLES, 'crds.yaml'), 'utf8')) as unknown as {
  toJS(): unknown;
}[];
const crds = crdObjects.map((d) => d.toJS());
const legacyManifest = parseAllDocuments(readFileSync(join(EXAMPLES, 'configmap.yaml'), 'utf8')) as unknown as {
  toJS(): { data: { config: string } };
}[];
const legacy = (
  parseAllDocuments(legacyManifest[0]!.toJS().data.config) as unknown as { toJS(): unknown }[]
)[0]!.toJS();

describe('robustness', () => {
  it('fixtures loaded', () => {
    expect(crds.length).toBeGreaterThan(5);
    expect(legacy).toHaveProperty('address-pools');
  });

  it('parseCrds survives arbitrary values', () => {
    fc.assert(
      fc.property(fc.array(fc.anything()), (objects) => wellFormed(parseCrds(objects))),
      { numRuns: 300 },
    );
  });

  it('parseCrds survives one field of the example set replaced by anything', () => {
    fc.assert(
      fc.property(fc.nat(), fc.anything(), (pick, value) =>
        wellFormed(parseCrds(mutate(crds, pick, value) as unknown[])),
      ),
      { numRuns: 200 },
    );
  });

  it('parseConfigMap survives one field of the example replaced by anything', () => {
    fc.assert(
      fc.property(fc.nat(), fc.anything(), (pick, value) => {
        let text: string;
        try {
          text = stringify(mutate(legacy, pick, value));
        } catch {
          return; // not representable as YAML
        }
        wellFormed(parseConfigMap(text, 'm.yaml'));
      }),
      { numRuns: 200 },
    );
  });

  it('parseConfigMap and parseFiles survive arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', ':', ' ', '\n', '-', '[', '{', '"', '|', '1', '*', '&', '!', '#', '\t', '/'),
        }),
        (text) => {
          wellFormed(parseConfigMap(text, 'x'));
          wellFormed(parseFiles([{ name: 'x', text }]));
        },
      ),
      { numRuns: 200 },
    );
  });
});
