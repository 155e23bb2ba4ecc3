// Collects located problems. Parsing never stops at the first problem: every reader reports into one
// Problems list so the user sees everything wrong at once.
import type { ConfigProblem } from './model.ts';

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
    this.list.push({ where: this.where, path, message });
  }

  get count(): number {
    return this.list.length;
  }
}

/** Joins a parent path and a key: `a` + `b` → `a.b`; `` + `b` → `b`; `a` + 0 → `a[0]`. */
export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}
