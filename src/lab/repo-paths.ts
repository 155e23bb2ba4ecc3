// Where the checkout's own files are, for every lab module that starts one of them: the project root,
// its Node 24 (the `node` npm package; the machine's node may be older) and the `ferrolb` CLI.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (no trailing slash). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Node 24 from the `node` npm package. */
export const PROJECT_NODE = join(REPO_ROOT, 'node_modules/.bin/node');
/** The `ferrolb` CLI's TypeScript entry. */
export const FERROLB_CLI = join(REPO_ROOT, 'bin/ferrolb.ts');
