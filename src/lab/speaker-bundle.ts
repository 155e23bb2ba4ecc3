// The speaker as it ships: speaker/main.ts and everything it imports (the npm packages included) bundled by
// esbuild into one minified ES module, dist/speaker/main.mjs. One file of plain JavaScript instead of ~420
// modules: no type stripping and no compile cache at start (Node's stripper is ~25 MiB of RSS), no
// per-module records, ~0.5 MB of source instead of 1.3 MB (as UTF-16 where comments have non-ASCII
// text) — ~5 MiB less idle RSS (`FAILOVER_ONLY=rss npm run bench -- failover`). Names are kept
// (`keepNames`) so stack traces and error names still read; the source map beside it maps them back to
// the TypeScript when debugging a local build (NODE_OPTIONS=--enable-source-maps; Node reads it only
// then). The image does not ship the map (2.6 MB).
//
// Node's built-in modules come through shims that read only the exports used (see builtinShims).
//
// The image builds it (`npm run build`, Dockerfile); the lab, the tests and the benchmarks build it from
// the working tree once per process (speakerBundle()), so what they run is what ships, never a stale copy.
// The native addon is found relative to the module (src/native/addon.ts: ../../build/Release), so the
// bundle sits two folders below the project root, as src/native/addon.ts does.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules, createRequire } from 'node:module';
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
  const options: Esbuild.BuildOptions = {
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
    // Made at the first call (yaml's, when YAML is first parsed): node:module is not loaded before.
    banner: {
      js:
        'let __ferrolbRequire; const require = (id) => ' +
        "(__ferrolbRequire ??= process.getBuiltinModule('node:module').createRequire(import.meta.url))(id);",
    },
  };
  // First which built-ins are imported (esbuild leaves them external), then the bundle with their shims.
  const first = buildSync({ ...options, metafile: true, sourcemap: false, minify: false });
  // A CommonJS package's require() of one stays a real require (yaml's of process and buffer): it takes the
  // whole module object, so a shim would read every export.
  const imported = new Set<string>();
  const required = new Set<string>();
  for (const input of Object.values(first.metafile!.inputs))
    for (const i of input.imports)
      if (i.external && BUILTIN.test(i.path))
        (i.kind === 'require-call' ? required : imported).add(i.path.replace(/^node:/, ''));
  for (const name of required) imported.delete(name);
  const shims = mkdtempSync(join(tmpdir(), 'ferrolb-builtins-'));
  let r: Esbuild.BuildResult;
  try {
    r = buildSync({ ...options, alias: builtinShims(shims, [...imported]) });
  } finally {
    rmSync(shims, { recursive: true, force: true });
  }
  if (r.errors.length > 0) throw new Error(`bundling the speaker failed: ${r.errors.map((e) => e.text).join('; ')}`);
  // The map first: a reader that sees the new module finds its map.
  const files = [...(r.outputFiles ?? [])].sort(
    (a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')),
  );
  for (const f of files) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
  return outFile;
}

const BUILTIN = new RegExp(
  `^(node:)?(${builtinModules.map((m) => m.replace(/^node:/, '').replace(/[/]/g, '\\/')).join('|')})$`,
);

/**
 * `import { x } from 'node:y'` bundled as an import of a shim: `const m = process.getBuiltinModule('node:y')`
 * and one `export const x = m.x` per export, each marked pure so esbuild keeps only those imported. Reading
 * a built-in's property descriptor runs its lazy loader (node:util's alone pulls in streams, net,
 * worker_threads and ~20 more modules), so the shim reads exactly the exports used, nothing else. Returns
 * the alias map, each name (with and without "node:") to its shim, written in `dir`.
 */
function builtinShims(dir: string, names: string[]): Record<string, string> {
  const alias: Record<string, string> = {};
  for (const name of names) {
    const id = `node:${name}`;
    const exports = Object.getOwnPropertyNames(process.getBuiltinModule(id) as object).filter(
      (k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default',
    );
    const text = [
      `const m = process.getBuiltinModule(${JSON.stringify(id)});`,
      'const get = (k) => m[k];',
      'export default m;',
      ...exports.map((k) => `export const ${k} = /* @__PURE__ */ get(${JSON.stringify(k)});`),
      '',
    ].join('\n');
    const file = join(dir, `${name.replace(/[/]/g, '+')}.mjs`);
    writeFileSync(file, text);
    alias[name] = file;
    alias[id] = file;
  }
  return alias;
}

let built: string | undefined;
/** The speaker bundle of the working tree, built once per process (~0.2 s). */
export function speakerBundle(): string {
  built ??= buildSpeakerBundle();
  return built;
}
