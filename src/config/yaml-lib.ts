// The yaml package, loaded at its first use. A speaker configured by metallb.io objects and started with
// in-cluster credentials (or a JSON kubeconfig) parses no YAML at all, and should not pay for the package's
// start (its schemas and tag tables: ~0.5-1 MiB of heap). In the speaker bundle the `require` below is
// esbuild's: the package is bundled and evaluated when first called. Run from source (tests, the
// controller), ES modules have no `require`, and the package is loaded from node_modules instead.
import type * as Yaml from 'yaml';

let lib: typeof Yaml | undefined;

export function yaml(): typeof Yaml {
  if (lib === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- esbuild's lazy require, above
    if (typeof require === 'function') lib = require('yaml') as typeof Yaml;
    else {
      // eslint-disable-next-line no-restricted-globals -- not I/O: loading a library of pure functions
      const m = process.getBuiltinModule('node:module');
      lib = m.createRequire(import.meta.url)('yaml') as typeof Yaml;
    }
  }
  return lib;
}
