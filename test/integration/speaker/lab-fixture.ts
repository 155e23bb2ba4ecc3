// The speaker lab (src/lab/speaker-lab.ts) on a fresh API server for one test file, torn down after it.
import { SpeakerLab } from '../../../src/lab/speaker-lab.ts';
import type { NetNode } from '../../../src/lab/speaker-net.ts';
import type { SpeakerChild } from '../../../src/lab/speaker-child.ts';
import { setupSpeakerEnv, type SpeakerEnv } from './fixture.ts';

export interface TestLab {
  env: SpeakerEnv;
  lab: SpeakerLab;
  net: SpeakerLab['net'];
  bird: SpeakerLab['bird'];
  speakers: Map<string, SpeakerChild>;
  start(node: NetNode, extraArgs?: string[]): Promise<SpeakerChild>;
  metrics(node: NetNode): Promise<string>;
  diagnostics(): string;
  stop(): Promise<void>;
}

export async function startSpeakerLab(opts: { nodes: number; speakerArgs?: string[] }): Promise<TestLab> {
  const env = await setupSpeakerEnv();
  let lab: SpeakerLab;
  try {
    lab = await SpeakerLab.start(env.cluster, {
      nodes: opts.nodes,
      prefix: `fsp${process.pid % 100000}`,
      speakerArgs: ['--log-level', 'debug', ...(opts.speakerArgs ?? [])],
    });
  } catch (err) {
    await env.stop();
    throw err;
  }
  return {
    env,
    lab,
    net: lab.net,
    bird: lab.bird,
    speakers: lab.speakers,
    start: (node, extra) => lab.startSpeaker(node, extra),
    metrics: async (node) => (await lab.get(node, '/metrics')).body,
    diagnostics: () => lab.diagnostics(),
    async stop() {
      await lab.stop();
      await env.stop();
    },
  };
}
