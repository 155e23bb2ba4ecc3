import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesAnySelector, matchesSelector, type LabelSelector } from '../../../src/config/index.ts';

const sel = (
  matchLabels: Record<string, string>,
  matchExpressions: LabelSelector['matchExpressions'] = [],
): LabelSelector => ({
  matchLabels,
  matchExpressions,
});

const labels = { app: 'web', tier: 'front', zone: 'a' };

describe('matchesSelector', () => {
  it.each<[string, LabelSelector, Record<string, string>, boolean]>([
    ['empty selector matches everything', sel({}), labels, true],
    ['empty selector matches no labels', sel({}), {}, true],
    ['matchLabels all equal', sel({ app: 'web', zone: 'a' }), labels, true],
    ['matchLabels one differs', sel({ app: 'web', zone: 'b' }), labels, false],
    ['matchLabels key absent', sel({ rack: '1' }), labels, false],
    ['matchLabels empty value needs the label present', sel({ rack: '' }), labels, false],
    ['matchLabels empty value matches an empty label', sel({ rack: '' }), { rack: '' }, true],
    ['In hit', sel({}, [{ key: 'zone', operator: 'In', values: ['a', 'b'] }]), labels, true],
    ['In miss', sel({}, [{ key: 'zone', operator: 'In', values: ['c'] }]), labels, false],
    ['In absent key', sel({}, [{ key: 'rack', operator: 'In', values: ['1'] }]), labels, false],
    ['NotIn hit', sel({}, [{ key: 'zone', operator: 'NotIn', values: ['a'] }]), labels, false],
    ['NotIn miss', sel({}, [{ key: 'zone', operator: 'NotIn', values: ['b'] }]), labels, true],
    ['NotIn absent key matches', sel({}, [{ key: 'rack', operator: 'NotIn', values: ['1'] }]), labels, true],
    ['Exists', sel({}, [{ key: 'tier', operator: 'Exists', values: [] }]), labels, true],
    ['Exists absent', sel({}, [{ key: 'rack', operator: 'Exists', values: [] }]), labels, false],
    ['DoesNotExist', sel({}, [{ key: 'rack', operator: 'DoesNotExist', values: [] }]), labels, true],
    ['DoesNotExist present', sel({}, [{ key: 'app', operator: 'DoesNotExist', values: [] }]), labels, false],
    [
      'labels and expressions are ANDed',
      sel({ app: 'web' }, [
        { key: 'zone', operator: 'In', values: ['a'] },
        { key: 'tier', operator: 'NotIn', values: ['front'] },
      ]),
      labels,
      false,
    ],
    ['inherited properties are not labels', sel({ constructor: 'x' }), {}, false],
  ])('%s', (_name, selector, l, expected) => {
    expect(matchesSelector(selector, l)).toBe(expected);
  });

  it('In and NotIn are complements when the key is present (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('a', 'b', 'c'),
        fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { minLength: 1 }),
        (value, values) => {
          const l = { k: value };
          const inSel = sel({}, [{ key: 'k', operator: 'In', values }]);
          const notIn = sel({}, [{ key: 'k', operator: 'NotIn', values }]);
          expect(matchesSelector(inSel, l)).toBe(!matchesSelector(notIn, l));
          expect(matchesSelector(inSel, l)).toBe(values.includes(value));
        },
      ),
    );
  });

  it('a selector built from a label set matches that set and its supersets (property)', () => {
    const labelMap = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.constantFrom('x', 'y'));
    fc.assert(
      fc.property(labelMap, labelMap, (subset, extra) => {
        expect(matchesSelector(sel(subset), { ...extra, ...subset })).toBe(true);
      }),
    );
  });
});

describe('matchesAnySelector', () => {
  it('an empty list matches everything (nodeSelectors semantics)', () =>
    expect(matchesAnySelector([], labels)).toBe(true));
  it('any one selector is enough', () =>
    expect(matchesAnySelector([sel({ app: 'db' }), sel({ zone: 'a' })], labels)).toBe(true));
  it('none matching', () => expect(matchesAnySelector([sel({ app: 'db' })], labels)).toBe(false));
});
