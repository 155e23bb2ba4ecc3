// YAML text → decoded documents, with syntax errors reported as `line:column` (1-based).
import type { Document, LineCounter } from 'yaml';
import { yaml } from './yaml-lib.ts';
import type { Problems } from './problems.ts';

export interface YamlDoc {
  /** Decoded value (null for an empty document). */
  value: unknown;
  doc: Document;
  /** 1-based line where the document starts. */
  line: number;
  lineCounter: LineCounter;
}

/** Maps a position inside the text to the position reported (used for text embedded in another file). */
export type PositionMap = (line: number, col: number) => { line: number; col: number; prefix: string };

const IDENTITY: PositionMap = (line, col) => ({ line, col, prefix: '' });

/** Decodes every document; returns undefined when any had a syntax error (all errors are reported). */
export function readYaml(text: string, problems: Problems, map: PositionMap = IDENTITY): YamlDoc[] | undefined {
  const { LineCounter: Counter, parseAllDocuments } = yaml();
  const lineCounter = new Counter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const docs = Array.isArray(parsed) ? parsed : [];
  const before = problems.count;
  const out: YamlDoc[] = [];
  for (const doc of docs) {
    for (const err of doc.errors) {
      const { line, col } = lineCounter.linePos(err.pos[0]);
      const m = map(line, col);
      problems.add(`${m.prefix}${m.line}:${m.col}`, `YAML syntax error: ${err.message.split('\n')[0]}`);
    }
    if (doc.errors.length > 0) continue;
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      const { line, col } = lineCounter.linePos(start);
      const m = map(line, col);
      problems.add(`${m.prefix}${m.line}:${m.col}`, `YAML error: ${(e as Error).message}`);
      continue;
    }
    out.push({ value, doc, line: map(lineCounter.linePos(start).line, 1).line, lineCounter });
  }
  return problems.count > before ? undefined : out;
}

/** Documents that hold something (a file may contain empty `---` separated documents). */
export function nonEmpty(docs: readonly YamlDoc[]): YamlDoc[] {
  return docs.filter((d) => d.value !== null && d.value !== undefined);
}
