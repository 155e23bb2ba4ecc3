import { readFile } from 'node:fs/promises';

export interface NamedText {
  name: string;
  text: string;
}

/** Reads each file; a missing or unreadable file is reported by name and the others still read. */
export async function readFiles(paths: string[]): Promise<{ files: NamedText[]; errors: string[] }> {
  const files: NamedText[] = [];
  const errors: string[] = [];
  for (const path of paths) {
    try {
      files.push({ name: path, text: await readFile(path, 'utf8') });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      errors.push(`${path}: cannot read file (${code})`);
    }
  }
  return { files, errors };
}
