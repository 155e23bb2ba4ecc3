// The speaker starts the same way everywhere: the DaemonSet's command (V8 flags, the bundle
// dist/speaker/main.mjs) and NODE_OPTIONS are what the Helm chart renders, what the image checks at build
// (the Dockerfile) and what the lab, the tests and the benchmarks run (src/lab: SPEAKER_V8_FLAGS,
// SPEAKER_NODE_OPTIONS, speakerBundle()).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import {
  SPEAKER_ENV,
  SPEAKER_NODE_OPTIONS,
  SPEAKER_V8_FLAGS,
  startSpeakerChild,
} from '../../../src/lab/speaker-child.ts';
import { SPEAKER_BUNDLE, speakerBundle } from '../../../src/lab/speaker-bundle.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');

interface Container {
  command?: string[];
  env?: { name: string; value?: string }[];
}

describe('how the speaker starts', () => {
  const ds = parse(read('manifests/07-speaker-daemonset.yaml')) as {
    spec: { template: { spec: { containers: Container[] } } };
  };
  const c = ds.spec.template.spec.containers[0]!;

  test("the DaemonSet runs node with the lab's V8 flags and NODE_OPTIONS", () => {
    expect(SPEAKER_V8_FLAGS.length).toBeGreaterThan(0);
    expect(c.command).toEqual(['node', ...SPEAKER_V8_FLAGS, SPEAKER_BUNDLE]);
    expect(c.env?.find((e) => e.name === 'NODE_OPTIONS')?.value).toBe(SPEAKER_NODE_OPTIONS);
    // The image's compile cache is the controller's: the bundle is plain JavaScript.
    expect(c.env?.find((e) => e.name === 'NODE_COMPILE_CACHE')?.value).toBe('');
    expect(Object.keys(SPEAKER_ENV).length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(SPEAKER_ENV))
      expect(c.env?.find((e) => e.name === name)?.value, name).toBe(value);
  });

  test("the Helm chart's command and default nodeOptions are the DaemonSet's", () => {
    const template = read('charts/ferrolb/templates/speaker.yaml');
    const command = /^\s*command: (\[.*dist\/speaker\/main\.mjs\])$/m.exec(template);
    expect(command).not.toBeNull();
    expect(parse(command![1]!)).toEqual(c.command);
    const values = parse(read('charts/ferrolb/values.yaml')) as { speaker: { nodeOptions: string } };
    expect(values.speaker.nodeOptions).toBe(SPEAKER_NODE_OPTIONS);
    for (const [name, value] of Object.entries(SPEAKER_ENV))
      expect(template, name).toMatch(new RegExp(`- name: ${name}\\n\\s+value: "${value}"\\n`));
  });

  test("the image builds the bundle and starts it with the DaemonSet's NODE_OPTIONS and V8 flags", () => {
    const lines = read('Dockerfile').split('\n');
    expect(lines.some((l) => /^\s*node scripts\/build-speaker\.ts; \\$/.test(l))).toBe(true);
    const warm = lines.findIndex((l) => l.startsWith('RUN [') && l.includes(SPEAKER_BUNDLE));
    expect(warm).toBeGreaterThan(0);
    expect(JSON.parse(lines[warm]!.slice('RUN '.length))).toEqual([
      '/usr/local/bin/node',
      ...SPEAKER_V8_FLAGS,
      SPEAKER_BUNDLE,
      '--help',
    ]);
    const env = lines.slice(0, warm).findLast((l) => l.startsWith('ENV NODE_OPTIONS='));
    expect(env).toBe(`ENV NODE_OPTIONS="${SPEAKER_NODE_OPTIONS}"`);
  });

  test('a lab speaker child runs the bundle with those V8 flags before it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'speaker-start-'));
    const child = startSpeakerChild({
      nodeName: 'n',
      kubeconfig: '/nonexistent',
      logPath: join(dir, 'speaker.log'),
      metricsPort: 0,
      extraArgs: ['--help'],
    });
    await child.waitExit();
    const argv = child.logTail(50);
    rmSync(dir, { recursive: true, force: true });
    for (const f of SPEAKER_V8_FLAGS) expect(argv).toContain(` ${f} `);
    expect(argv).toContain(SPEAKER_BUNDLE);
    expect(argv).toMatch(/usage: speaker\/main\.ts --node-name/);
    expect(argv.indexOf(SPEAKER_V8_FLAGS[0]!)).toBeLessThan(argv.indexOf(SPEAKER_BUNDLE));
  });

  test("the bundle takes Node's built-ins as objects, and not those it can do without", () => {
    const text = readFileSync(speakerBundle(), 'utf8');
    // no ES module import of a built-in (its namespace would read every export: lazy ones load modules)
    expect(text).not.toMatch(/\bfrom\s*"node:/);
    expect(text).toMatch(/process\.getBuiltinModule\("node:util"\)/);
    expect(text).not.toMatch(/"node:https?"/);
    // node:fs/promises loads readline, the REPL's history and file streams; node:module is loaded only by
    // the first require() (yaml's): the banner's require is lazy, and the native addon goes by process.dlopen
    expect(text).not.toMatch(/"node:fs\/promises"/);
    expect(text.slice(0, text.indexOf('\n'))).toMatch(/^let __ferrolbRequire; const require = \(id\) => /);
    expect(text.match(/getBuiltinModule\(["']node:module["']\)/g)?.length).toBe(2); // the banner's, yaml-lib's fallback
    // the yaml package is bundled, behind the lazy require of src/config/yaml-lib.ts
    expect(text).toMatch(/Implicit keys need to be on a single line/);
  });
});
