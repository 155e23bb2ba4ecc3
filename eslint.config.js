// ESLint: correctness and the layer order (docs/ARCHITECTURE.md), not style (Prettier formats).
//
// Layers, bottom to top; an import only points down (or sideways within a layer):
//   0 time, net, wire, metrics → 1 config → 2 pure cores (allocator, election, bgp codec/fsm, memberlist
//   core/codec, l2 codec/core, ipvs plan) → 3 log (the structured logger, below every I/O shell; pure cores do
//   not log) → 3 I/O shells (bgp session/bfd/speaker, memberlist, l2, ipvs, native, http) → 4 k8s → 5 controller,
//   speaker → 6 lab, cli.
// Every folder gets one `no-restricted-imports` entry naming what lies above it (matched on folder
// names in the import path, which are unique in src/). Folders that do not exist yet are configured by
// glob, so the rules hold the day they appear. Pure cores also may not import node:* modules or read the
// clock, timers, process or Math.random (inject a Clock / a random source instead).
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** Folder names as they appear in relative import paths, per layer. */
const ABOVE_CONFIG = ['allocator', 'election', 'bgp', 'memberlist', 'l2', 'ipvs', 'netlink'];
const LOG = ['log'];
const SHELLS = ['session', 'bfd', 'speaker', 'native', 'http'];
const K8S = ['k8s'];
const APPS = ['controller', 'speaker'];
const TOP = ['lab', 'cli'];

const folders = (names) => `(^|/)(${[...new Set(names)].join('|')})/`;
const noTest = {
  regex: '(^|/)test/',
  message: 'nothing outside test/ imports test/ (move shared code to src/, e.g. src/lab)',
};
const above = (names, layer) => ({
  regex: folders(names),
  message: `layer order (docs/ARCHITECTURE.md): ${layer} may not import a higher layer`,
});
// node:crypto is restricted too: a pure core that must hash says why in an eslint-disable comment.
const nodeBuiltins = {
  regex: `^(node:|(${builtinModules
    .filter((m) => !m.startsWith('_'))
    .map((m) => m.replace(/[/]/g, '\\/'))
    .join('|')})(/|$))`,
  message: 'pure core: no node:* modules (no I/O); the I/O shell beside it does that',
};
// A new engine's shell files sit directly beside its core/ and codec/ folders.
const shellSibling = { regex: '^\\.\\./[^/]+\\.ts$', message: 'pure core: do not import the I/O shell beside it' };

const restrict = (...patterns) => ['error', { patterns: [noTest, ...patterns] }];

const PURE = [
  'src/time/**',
  'src/metrics/**',
  'src/net/**',
  'src/wire/**',
  'src/config/**',
  'src/allocator/**',
  'src/election/**',
  'src/bgp/*.ts',
  'src/bgp/codec/**',
  'src/bgp/fsm/**',
  'src/memberlist/core/**',
  'src/memberlist/codec/**',
  'src/l2/codec/**',
  'src/l2/core/**',
  'src/ipvs/plan/**',
  'src/ipvs/codec/**',
  'src/netlink/codec/**',
];
const NEW_ENGINE_CORES = [
  'src/memberlist/core/**',
  'src/memberlist/codec/**',
  'src/l2/codec/**',
  'src/l2/core/**',
  'src/ipvs/plan/**',
  'src/ipvs/codec/**',
  'src/netlink/codec/**',
];

const clockGlobals = [
  'Date',
  'performance',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
  'process',
].map((name) => ({ name, message: `pure core: no ${name} — take a Clock (src/time) or the value by injection` }));
const clockProperties = [
  { object: 'Math', property: 'random', message: 'pure core: take a `random: () => number` by injection' },
  ...['Date', 'performance', 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'process'].map(
    (property) => ({
      object: 'globalThis',
      property,
      message: `pure core: no globalThis.${property} — inject it`,
    }),
  ),
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'build/**', '**/*.d.ts'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: { parserOptions: { ecmaVersion: 'latest', sourceType: 'module' } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Correctness only; the style rules of the recommended set that the tree does not follow are off
      // (the formatter owns style).
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-restricted-imports': restrict(),
    },
  },
  // Tests may import anything (they exercise every layer).
  { files: ['test/**'], rules: { 'no-restricted-imports': 'off' } },
  // Layer 6 (lab, cli) and the entry points (bin/, controller/main.ts, speaker/main.ts) may import everything
  // in src/ (lab and cli each other too: the lab's BGP runners start the CLI).
  // Layer 5: controller, speaker (and the controller's entry point).
  {
    files: ['src/controller/**', 'src/speaker/**'],
    rules: { 'no-restricted-imports': restrict(above(TOP, 'controller/speaker')) },
  },
  { files: ['src/k8s/**'], rules: { 'no-restricted-imports': restrict(above([...APPS, ...TOP], 'k8s')) } },
  {
    files: [
      'src/bgp/**',
      'src/memberlist/**',
      'src/l2/**',
      'src/ipvs/**',
      'src/netlink/**',
      'src/native/**',
      'src/http/**',
    ],
    rules: { 'no-restricted-imports': restrict(above([...K8S, ...APPS, ...TOP], 'an I/O shell')) },
  },
  // The logger: the bottom of layer 3, so every I/O shell and program may use it; it imports only time.
  {
    files: ['src/log/**'],
    rules: {
      'no-restricted-imports': restrict(above(['config', ...ABOVE_CONFIG, ...SHELLS, ...K8S, ...APPS, ...TOP], 'log')),
    },
  },
  {
    files: [
      'src/allocator/**',
      'src/election/**',
      'src/bgp/*.ts',
      'src/bgp/codec/**',
      'src/bgp/fsm/**',
      ...NEW_ENGINE_CORES,
    ],
    rules: {
      'no-restricted-imports': restrict(
        above([...LOG, ...SHELLS, ...K8S, ...APPS, ...TOP], 'a pure core'),
        nodeBuiltins,
      ),
    },
  },
  {
    files: NEW_ENGINE_CORES,
    rules: {
      'no-restricted-imports': restrict(
        above([...LOG, ...SHELLS, ...K8S, ...APPS, ...TOP], 'a pure core'),
        nodeBuiltins,
        shellSibling,
      ),
    },
  },
  {
    files: ['src/config/**'],
    rules: {
      'no-restricted-imports': restrict(
        above([...ABOVE_CONFIG, ...LOG, ...SHELLS, ...K8S, ...APPS, ...TOP], 'config'),
        nodeBuiltins,
      ),
    },
  },
  {
    files: ['src/time/**', 'src/net/**', 'src/wire/**', 'src/metrics/**'],
    rules: {
      'no-restricted-imports': restrict(
        above(['config', ...ABOVE_CONFIG, ...LOG, ...SHELLS, ...K8S, ...APPS, ...TOP], 'time/net/wire/metrics'),
        nodeBuiltins,
      ),
    },
  },
  // The one file of src/metrics that reads the process (process.cpuUsage, /proc/self) at scrape time.
  {
    files: ['src/metrics/process-metrics.ts'],
    rules: {
      'no-restricted-imports': restrict(
        above(['config', ...ABOVE_CONFIG, ...LOG, ...SHELLS, ...K8S, ...APPS, ...TOP], 'time/net/wire/metrics'),
      ),
    },
  },
  {
    files: PURE,
    ignores: ['src/time/system-clock.ts', 'src/metrics/process-metrics.ts'],
    rules: {
      'no-restricted-globals': ['error', ...clockGlobals],
      'no-restricted-properties': ['error', ...clockProperties],
    },
  },
  // The one place that reads the system time; it may use timers and performance but imports nothing.
  { files: ['src/time/system-clock.ts'], rules: { 'no-restricted-globals': 'off' } },
);
