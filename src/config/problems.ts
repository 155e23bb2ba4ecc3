// Collects located problems. Parsing never stops at the first problem: every reader reports into one
// Problems list so the user sees everything wrong at once.
import { excerpt } from './excerpt.ts';
import type { ConfigProblem } from './model.ts';

/** Safety net: no problem's path or message quotes more than this of the input. */
const MAX_PATH = 300;
const MAX_MESSAGE = 600;

export class Problems {
  readonly list: ConfigProblem[];
  readonly where: string;

  constructor(where: string, list: ConfigProblem[] = []) {
    this.where = where;
    this.list = list;
  }

  /** Same list, another object or file. */
  at(where: string): Problems {
    return new Problems(where, this.list);
  }

  add(path: string, message: string): void {
    this.list.push({ where: this.where, path: excerpt(path, MAX_PATH), message: excerpt(message, MAX_MESSAGE) });
  }

  get count(): number {
    return this.list.length;
  }
}

/** Joins a parent path and a key: `a` + `b` → `a.b`; `` + `b` → `b`; `a` + 0 → `a[0]`. */
export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const k = excerpt(key, 80);
  return path === '' ? k : `${path}.${k}`;
}
