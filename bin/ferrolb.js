#!/usr/bin/env node
// Launcher for `ferrolb` (plain JavaScript so that any Node can read it): the CLI is TypeScript run by
// Node 24's type stripping, and Node 24 is the project's own (the `node` package `npm ci` installs into
// node_modules, which `npx` and npm scripts put first in PATH). package.json has no `engines` on purpose:
// npm checks it against the Node that runs npm itself (the machine's, often older), which would warn on
// every `npx ferrolb` though nothing is wrong. A real mismatch gets this one line instead.
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  process.stderr.write(
    `ferrolb: needs Node 24, but this is Node ${process.versions.node} (${process.execPath}); ` +
      'run `npm ci` (it installs Node 24 into node_modules) and then `npx ferrolb ...`\n',
  );
  process.exit(1);
}
await import('./ferrolb.ts');
