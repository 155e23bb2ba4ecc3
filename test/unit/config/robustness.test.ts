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

type Slot = [Record<string, unknown> | unknown[], string | number];

/** Every (parent, key) of a tree, depth first. */
function slotsOf(root: unknown): Slot[] {
  const slots: Slot[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach((item, i) => (slots.push([v, i]), walk(item)));
    else if (typeof v === 'object' && v !== null) {
      for (const [k, item] of Object.entries(v)) {
        slots.push([v as Record<string, unknown>, k]);
        walk(item);
      }
    }
  };
  walk(root);
  expect(slots.length).toBeGreaterThan(0);
  return slots;
}

/** Replaces the value at a random path (chosen by `pick`) with `value`; returns a deep copy. */
function mutate(root: unknown, pick: number, value: unknown): unknown {
  const copy = structuredClone(root);
  const slots = slotsOf(copy);
  const [parent, key] = slots[pick % slots.length]!;
  (parent as Record<string | number, unknown>)[key] = value;
  return copy;
}

/** Every mapping of a tree (not arrays), the root included. */
function mappingsOf(root: unknown): Record<string, unknown>[] {
  return [root, ...slotsOf(root).map(([p, k]) => (p as Record<string | number, unknown>)[k])].filter(
    (v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v),
  );
}

/** Adds `key: value` to the `pick`-th mapping of a deep copy (defined, as a parsed document holds `__proto__`). */
function addKey(root: unknown, pick: number, key: string, value: unknown): unknown {
  const copy = structuredClone(root);
  const maps = mappingsOf(copy);
  Object.defineProperty(maps[pick % maps.length]!, key, { value, enumerable: true, writable: true });
  return copy;
}

/**
 * The names every plain object answers to (valueOf, constructor, __proto__, ...). A table lookup keyed by
 * input text must not find these: fast-check found "valueOf" as a kind once in CI, by chance.
 */
const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype);

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

  it('the names of Object.prototype, as every value and as an extra key of every mapping, are input like any other', () => {
    expect(PROTO_NAMES).toContain('valueOf');
    const [crdSlots, crdMaps] = [slotsOf(crds).length, mappingsOf(crds).length];
    const [legacySlots, legacyMaps] = [slotsOf(legacy).length, mappingsOf(legacy).length];
    let runs = 0;
    for (const name of PROTO_NAMES) {
      for (let pick = 0; pick < crdSlots; pick++, runs++) wellFormed(parseCrds(mutate(crds, pick, name) as unknown[]));
      for (let pick = 0; pick < crdMaps; pick++, runs++)
        wellFormed(parseCrds(addKey(crds, pick, name, 'x') as unknown[]));
      for (let pick = 0; pick < legacySlots; pick++, runs++)
        wellFormed(parseConfigMap(stringify(mutate(legacy, pick, name)), 'm.yaml'));
      for (let pick = 0; pick < legacyMaps; pick++, runs++)
        wellFormed(parseConfigMap(stringify(addKey(legacy, pick, name, 'x')), 'm.yaml'));
    }
    expect(runs).toBeGreaterThan(1000);
  });
});
