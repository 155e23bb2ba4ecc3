// podRunSpec: a Pod template's container as engine options, as kubelet would run it; the real
// manifests/07 template gives the speaker's user, capabilities and downward-API env.
import type { V1PodSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { speakerPodTemplate } from '../../../src/lab/image-speaker.ts';
import { expandVars, podRunSpec } from '../../../src/lab/pod-run.ts';

const facts = {
  fields: { 'spec.nodeName': 'node-1', 'metadata.name': 'speaker-x', 'metadata.namespace': 'ferrolb-system' },
  netnsPath: '/run/netns/n1',
};

function pod(edit: (p: V1PodSpec) => void = () => {}): V1PodSpec {
  const p: V1PodSpec = {
    hostNetwork: true,
    securityContext: { runAsUser: 1000, runAsGroup: 1000 },
    containers: [
      {
        name: 'c',
        command: ['node', 'main.ts'],
        args: ['--ns=$(NS)', '--keep=$(UNSET)', '--dollar=$$(NS)'],
        env: [
          { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'WHERE', value: 'in $(NS)' },
        ],
      },
    ],
  };
  edit(p);
  return p;
}

describe('expandVars', () => {
  it("expands defined $(VAR), keeps undefined ones and turns $$ into $ (kubelet's rules)", () => {
    expect(expandVars('$(A)-$(B)-$$(A)-$', { A: 'x' })).toBe('x-$(B)-$(A)-$');
  });
});

describe('podRunSpec', () => {
  it('maps user, env (downward API, earlier vars), command and args', () => {
    const r = podRunSpec(pod(), 'c', facts);
    expect(r.options).toEqual([
      '--network',
      'ns:/run/netns/n1',
      '--user',
      '1000:1000',
      '-e',
      'NS=ferrolb-system',
      '-e',
      'WHERE=in ferrolb-system',
      '--entrypoint',
      '["node","main.ts"]',
    ]);
    expect(r.args).toEqual(['--ns=ferrolb-system', '--keep=$(UNSET)', '--dollar=$(NS)']);
  });

  it('refuses what it cannot run faithfully, saying what', () => {
    expect(() =>
      podRunSpec(
        pod((p) => (p.securityContext = {})),
        'c',
        facts,
      ),
    ).toThrow(/no runAsUser/);
    expect(() => podRunSpec(pod(), 'other', facts)).toThrow(/no container "other"/);
    expect(() =>
      podRunSpec(
        pod((p) => (p.hostNetwork = false)),
        'c',
        facts,
      ),
    ).toThrow(/host-network/);
    expect(() =>
      podRunSpec(
        pod((p) => (p.containers[0]!.env = [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } }])),
        'c',
        facts,
      ),
    ).toThrow(/env X: no value for fieldRef status.podIPs/);
    expect(() =>
      podRunSpec(
        pod((p) => {
          p.volumes = [{ name: 'v', hostPath: { path: '/x' } }];
          p.containers[0]!.volumeMounts = [{ name: 'v', mountPath: '/x' }];
        }),
        'c',
        facts,
      ),
    ).toThrow(/volume v: only emptyDir/);
  });

  it("manifests/07's speaker: uid 0, only NET_RAW and NET_ADMIN, read-only, no_new_privs, its state tmpfs", () => {
    const r = podRunSpec(speakerPodTemplate(), 'speaker', facts);
    const opts = r.options.join(' ');
    expect(opts).toContain('--user 0:0');
    expect(r.options.filter((o) => o.startsWith('--cap-'))).toEqual([
      '--cap-drop=ALL',
      '--cap-add=NET_RAW',
      '--cap-add=NET_ADMIN',
    ]);
    expect(r.options).toContain('--read-only');
    expect(opts).toContain('--security-opt no-new-privileges');
    expect(opts).toContain(`--mount type=tmpfs,destination=/var/lib/ferrolb,tmpfs-size=${1 << 20}`);
    expect(opts).toContain('-e NODE_NAME=node-1');
    expect(r.args).toContain('--namespace=ferrolb-system');
  });
});
