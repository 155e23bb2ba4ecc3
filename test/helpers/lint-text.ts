// ESLint run on a piece of code as if it were the file at `filePath` (relative to the project root, which
// need not exist): how the layer tests check what a folder may import or read.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let eslint: ESLint | undefined;

/** Every problem ESLint reports for `code` placed at `filePath`, as `rule: message`. */
export async function lintProblems(filePath: string, code: string): Promise<string[]> {
  eslint ??= new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}${filePath}` });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}
