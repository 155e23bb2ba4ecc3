// Reads label selectors in both spellings: legacy ConfigMap (`match-labels`, `match-expressions`) and
// CRDs (`matchLabels`, `matchExpressions`), validating them as metav1.LabelSelectorAsSelector does.
import type { LabelSelector, LabelSelectorRequirement } from './model.ts';
import { join, type Problems } from './problems.ts';
import { Fields } from './reader.ts';
import { didYouMean } from './suggest.ts';

export type SelectorSpelling = 'legacy' | 'crd';

const NAMES = {
  legacy: { labels: 'match-labels', expressions: 'match-expressions' },
  crd: { labels: 'matchLabels', expressions: 'matchExpressions' },
} as const;

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

const NAME_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key (`[prefix/]name`), or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN_RE.test(prefix))) {
    return `invalid label key "${key}": prefix must be a DNS subdomain (lower case, e.g. "example.com")`;
  }
  if (name.length === 0 || name.length > 63 || !NAME_RE.test(name)) {
    return `invalid label key "${key}": name must be 1..63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined. Empty is valid. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME_RE.test(value)) {
    return `invalid label value "${value}": must be at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`;
  }
  return undefined;
}

export function readSelector(
  problems: Problems,
  path: string,
  value: unknown,
  spelling: SelectorSpelling,
): LabelSelector | undefined {
  const n = NAMES[spelling];
  const f = Fields.of(problems, path, value, { known: [n.labels, n.expressions] });
  if (!f) return undefined;
  const before = problems.count;
  const matchLabels = f.stringMap(n.labels) ?? {};
  for (const [k, v] of Object.entries(matchLabels)) {
    const kp = labelKeyProblem(k);
    if (kp) problems.add(join(f.at(n.labels), k), kp);
    const vp = labelValueProblem(v);
    if (vp) problems.add(join(f.at(n.labels), k), vp);
  }
  const matchExpressions: LabelSelectorRequirement[] = [];
  const seen = new Set<string>();
  (f.list(n.expressions) ?? []).forEach((item, i) => {
    const p = join(f.at(n.expressions), i);
    const req = readRequirement(problems, p, item);
    if (!req) return;
    const canon = `${req.key} ${req.operator} ${[...req.values].sort().join(',')}`;
    if (seen.has(canon)) problems.add(p, 'duplicate match expression');
    seen.add(canon);
    matchExpressions.push(req);
  });
  if (problems.count > before) return undefined;
  return { matchLabels, matchExpressions };
}

function readRequirement(problems: Problems, path: string, value: unknown): LabelSelectorRequirement | undefined {
  const f = Fields.of(problems, path, value, { known: ['key', 'operator', 'values'] });
  if (!f) return undefined;
  const key = f.string('key', { required: true });
  const operatorText = f.string('operator', { required: true });
  const values = f.strings('values') ?? [];
  if (key === undefined || operatorText === undefined) return undefined;
  const kp = labelKeyProblem(key);
  if (kp) {
    problems.add(f.at('key'), kp);
    return undefined;
  }
  const operator = OPERATORS.find((o) => o === operatorText);
  if (!operator) {
    problems.add(
      f.at('operator'),
      `"${operatorText}" is not a valid operator: use In, NotIn, Exists or DoesNotExist${didYouMean(operatorText, OPERATORS)}`,
    );
    return undefined;
  }
  if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
    problems.add(f.at('values'), `operator ${operator} needs at least one value`);
    return undefined;
  }
  if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
    problems.add(f.at('values'), `operator ${operator} takes no values`);
    return undefined;
  }
  const dup = values.find((v, i) => values.indexOf(v) !== i);
  if (dup !== undefined) {
    problems.add(f.at('values'), `duplicate value "${dup}"`);
    return undefined;
  }
  for (const v of values) {
    const vp = labelValueProblem(v);
    if (vp) {
      problems.add(f.at('values'), vp);
      return undefined;
    }
  }
  return { key, operator, values };
}

/** Reads a list of selectors (nodeSelectors, ipAddressPoolSelectors, ...); duplicates are reported. */
export function readSelectorList(f: Fields, key: string, spelling: SelectorSpelling): LabelSelector[] {
  const out: LabelSelector[] = [];
  const seen = new Map<string, number>();
  (f.list(key) ?? []).forEach((item, i) => {
    const p = join(f.at(key), i);
    const sel = readSelector(f.problems, p, item, spelling);
    if (!sel) return;
    const canon = selectorKey(sel);
    const prev = seen.get(canon);
    if (prev !== undefined) f.problems.add(p, `duplicate of ${join(f.at(key), prev)}`);
    else seen.set(canon, i);
    out.push(sel);
  });
  return out;
}

export function selectorKey(s: LabelSelector): string {
  const labels = Object.entries(s.matchLabels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
  const exprs = s.matchExpressions.map((e) => `${e.key} ${e.operator} (${[...e.values].sort().join(',')})`).sort();
  return [...labels, ...exprs].join(';');
}
