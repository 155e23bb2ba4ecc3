// The speaker as it ships: speaker/main.ts and everything it imports (the npm packages included) bundled by
// esbuild into one minified ES module, dist/speaker/main.mjs. One file of plain JavaScript instead of ~420
// modules: no type stripping and no compile cache at start (Node's stripper is ~25 MiB of RSS), no
// per-module records, ~0.5 MB of source instead of 1.3 MB (as UTF-16 where comments have non-ASCII
// text) — ~5 MiB less idle RSS (`FAILOVER_ONLY=rss npm run bench -- failover`). Names are kept
// (`keepNames`) so stack traces and error names still read; the source map beside it maps them back to
// the TypeScript when debugging a local build (NODE_OPTIONS=--enable-source-maps; Node reads it only
// then). The image does not ship the map (2.6 MB).
//
// The image builds it (`npm run build`, Dockerfile); the lab, the tests and the benchmarks build it from
// the working tree once per process (speakerBundle()), so what they run is what ships, never a stale copy.
// The native addon is found relative to the module (src/native/addon.ts: ../../build/Release), so the
// bundle sits two folders below the project root, as src/native/addon.ts does.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './repo-paths.ts';
import type * as Esbuild from 'esbuild';

/** Where `npm run build` writes the speaker, relative to the project root (the manifests' command names it). */
export const SPEAKER_BUNDLE = 'dist/speaker/main.mjs';

/**
 * Bundles speaker/main.ts into `outFile` (with `outFile`.map beside it), written to a temporary name first
 * and renamed, so a concurrent reader (another test process) sees the old file or the new one, never half.
 */
export function buildSpeakerBundle(outFile = join(REPO_ROOT, SPEAKER_BUNDLE)): string {
  mkdirSync(dirname(outFile), { recursive: true });
  // Loaded only to build: a process that only runs a bundle (the VM guest's test driver) never loads it.
  const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof Esbuild;
  const r = buildSync({
    entryPoints: [join(REPO_ROOT, 'speaker/main.ts')],
    outfile: outFile,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    legalComments: 'eof',
    logLevel: 'silent',
    // The bundled CommonJS packages call require() for Node's built-in modules: an ES module has none.
    banner: {
      js: "import { createRequire as __ferrolbRequire } from 'node:module'; const require = __ferrolbRequire(import.meta.url);",
    },
  });
  if (r.errors.length > 0) throw new Error(`bundling the speaker failed: ${r.errors.map((e) => e.text).join('; ')}`);
  // The map first: a reader that sees the new module finds its map.
  const files = [...r.outputFiles].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')));
  for (const f of files) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
  return outFile;
}

let built: string | undefined;
/** The speaker bundle of the working tree, built once per process (~0.2 s). */
export function speakerBundle(): string {
  built ??= buildSpeakerBundle();
  return built;
}
