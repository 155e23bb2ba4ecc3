// Typed, strict reading of decoded YAML/JSON values. Every reader reports a located problem and returns
// undefined on bad input, so callers simply skip what could not be read and parsing goes on.
import { quote } from './excerpt.ts';
import { join, type Problems } from './problems.ts';
import { didYouMean } from './suggest.ts';

export type Json = Record<string, unknown>;

export function isMapping(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How a value looks, for "must be X (got Y)" messages. */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `string ${quote(v)}`;
  return `${typeof v} ${quote(String(v)).slice(1, -1)}`;
}

export interface FieldSpec {
  /** Fields FerroLB reads. */
  known: readonly string[];
  /**
   * Fields MetalLB knows but FerroLB does not implement: accepted only while they hold their empty value
   * (false, 0, "", [], {}), so a configuration never silently loses behaviour.
   */
  unsupported?: readonly string[];
  /** Fields of another API version: key → the message telling what to do. */
  elsewhere?: Readonly<Record<string, string>>;
}

function isEmptyValue(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isMapping(v)) return Object.keys(v).length === 0;
  return false;
}

/** Reads the fields of one mapping; unknown keys are reported when the reader is made. */
export class Fields {
  readonly problems: Problems;
  readonly path: string;
  readonly value: Json;

  constructor(problems: Problems, path: string, value: Json, spec: FieldSpec) {
    this.problems = problems;
    this.path = path;
    this.value = value;
    const candidates = [...spec.known, ...(spec.unsupported ?? [])];
    for (const key of Object.keys(value)) {
      if (spec.known.includes(key)) continue;
      const p = join(path, key);
      if (spec.unsupported?.includes(key)) {
        if (!isEmptyValue(value[key])) {
          problems.add(p, `"${key}" is a MetalLB feature FerroLB does not support yet; remove it`);
        }
        continue;
      }
      const other = spec.elsewhere && Object.hasOwn(spec.elsewhere, key) ? spec.elsewhere[key] : undefined;
      if (other !== undefined) {
        problems.add(p, other);
        continue;
      }
      problems.add(p, `unknown field ${quote(key, 80)}${didYouMean(key, candidates)}`);
    }
  }

  /** Makes a reader for `value` at `path`, or reports that it is not a mapping. */
  static of(problems: Problems, path: string, value: unknown, spec: FieldSpec): Fields | undefined {
    if (!isMapping(value)) {
      problems.add(path, `must be a mapping (got ${describe(value)})`);
      return undefined;
    }
    return new Fields(problems, path, value, spec);
  }

  at(key: string): string {
    return join(this.path, key);
  }

  has(key: string): boolean {
    const v = this.value[key];
    return v !== undefined && v !== null;
  }

  /** Reports a missing required field; true when present. */
  require(key: string): boolean {
    if (this.has(key)) return true;
    this.problems.add(this.at(key), 'missing required field');
    return false;
  }

  string(key: string, opts: { required?: boolean; nonEmpty?: boolean } = {}): string | undefined {
    if (!this.has(key)) {
      if (opts.required) this.require(key);
      return undefined;
    }
    const v = this.value[key];
    if (typeof v !== 'string') {
      const hint = typeof v === 'number' || typeof v === 'boolean' ? '; quote it' : '';
      this.problems.add(this.at(key), `must be a string (got ${describe(v)}${hint})`);
      return undefined;
    }
    if ((opts.required || opts.nonEmpty) && v.trim() === '') {
      this.problems.add(this.at(key), 'must not be empty');
      return undefined;
    }
    return v;
  }

  bool(key: string): boolean | undefined {
    if (!this.has(key)) return undefined;
    const v = this.value[key];
    if (typeof v !== 'boolean') {
      this.problems.add(this.at(key), `must be true or false (got ${describe(v)})`);
      return undefined;
    }
    return v;
  }

  /** An integer in min..max. */
  int(key: string, min: number, max: number, opts: { required?: boolean } = {}): number | undefined {
    if (!this.has(key)) {
      if (opts.required) this.require(key);
      return undefined;
    }
    return readInt(this.problems, this.at(key), this.value[key], min, max);
  }

  list(key: string): unknown[] | undefined {
    if (!this.has(key)) return undefined;
    const v = this.value[key];
    if (!Array.isArray(v)) {
      this.problems.add(this.at(key), `must be a list (got ${describe(v)})`);
      return undefined;
    }
    return v;
  }

  /** A list of strings; bad items are reported and left out. */
  strings(key: string): string[] | undefined {
    const items = this.list(key);
    if (items === undefined) return undefined;
    const out: string[] = [];
    items.forEach((item, i) => {
      if (typeof item === 'string') out.push(item);
      else this.problems.add(join(this.at(key), i), `must be a string (got ${describe(item)})`);
    });
    return out;
  }

  /** A mapping of string to string (labels, aliases). */
  stringMap(key: string): Record<string, string> | undefined {
    if (!this.has(key)) return undefined;
    const v = this.value[key];
    if (!isMapping(v)) {
      this.problems.add(this.at(key), `must be a mapping (got ${describe(v)})`);
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const [k, item] of Object.entries(v)) {
      if (k === '__proto__') this.problems.add(join(this.at(key), k), 'reserved name');
      else if (typeof item === 'string') out[k] = item;
      else this.problems.add(join(this.at(key), k), `must be a string (got ${describe(item)}; quote it)`);
    }
    return out;
  }

  /** A nested mapping read with its own field spec. */
  fields(key: string, spec: FieldSpec): Fields | undefined {
    if (!this.has(key)) return undefined;
    return Fields.of(this.problems, this.at(key), this.value[key], spec);
  }
}

export function readInt(problems: Problems, path: string, v: unknown, min: number, max: number): number | undefined {
  if (typeof v !== 'number') {
    const hint = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? '; remove the quotes' : '';
    problems.add(path, `must be an integer (got ${describe(v)}${hint})`);
    return undefined;
  }
  if (!Number.isInteger(v)) {
    problems.add(path, `must be an integer (got ${v})`);
    return undefined;
  }
  if (v < min || v > max) {
    problems.add(path, `${v} is out of range ${min}..${max}`);
    return undefined;
  }
  return v;
}
