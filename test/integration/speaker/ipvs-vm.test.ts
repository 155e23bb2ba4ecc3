// The speaker drives the real kernel's IPVS: a real kube-apiserver + etcd on the host, the real speaker
// (speaker/main.ts, its own ServiceAccount token) inside one boot of Debian's kernel under qemu (TCG; this
// machine's kernel has no IPVS), reaching the API server over qemu's user-mode network (host 127.0.0.1 =
// guest VM_HOST_IP). The guest driver (ipvs-guest.ts) writes Services and EndpointSlices through the API and
// records `ipvsadm -Sn` / `ipset save` / the dummy interface after each step; this file asserts on its
// report. See src/lab/vm.ts and scripts/vm/.
import { readFile } from 'node:fs/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, installManifests, type Cluster } from '../../../src/lab/index.ts';
import { VM_GUEST_IP, VM_HOST_IP, prepareVm, runGuestNode, type VmRun } from '../../../src/lab/vm.ts';
import type { GuestReport, GuestStep } from './ipvs-guest.ts';
import { createNodeObject } from '../../../src/lab/speaker-lab.ts';
import { speakerBundle } from '../../../src/lab/speaker-bundle.ts';
import { NS } from './fixture.ts';

const NODE = 'fs-vm-node';
let cluster: Cluster | undefined;
let run: VmRun;
let report: GuestReport;
let speakerLog = '';

/** The host's kubeconfig as the guest must use it: the server at VM_HOST_IP, the certificate's name kept. */
async function guestKubeconfig(path: string): Promise<string> {
  const kc = parse(await readFile(path, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
  for (const c of kc.clusters) {
    const url = new URL(String(c.cluster.server));
    url.hostname = VM_HOST_IP;
    c.cluster.server = url.origin;
    c.cluster['tls-server-name'] = 'localhost'; // the serving certificate names localhost and 127.0.0.1
  }
  return stringify(kc);
}

beforeAll(async () => {
  const image = prepareVm();
  cluster = await startCluster();
  for (const text of installManifests()) await cluster.apply(text);
  await cluster.apply(`apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: fs-pool, namespace: ${NS}}
spec: {addresses: [192.0.2.0/24]}
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: fs-l2, namespace: ${NS}}
`);
  await createNodeObject(cluster.kubeConfig.makeApiClient(CoreV1Api), NODE, VM_GUEST_IP);
  const files = {
    'admin.kubeconfig': await guestKubeconfig(cluster.kubeconfigPath),
    'speaker.kubeconfig': await guestKubeconfig(await cluster.serviceAccountKubeconfig(NS, 'speaker')),
  };
  const g = await runGuestNode({
    image,
    file: 'test/integration/speaker/ipvs-guest.ts',
    // The speaker bundle, built here (the guest reads the host's files): plain JavaScript, as in the image,
    // so the speaker never loads Node's TypeScript stripper.
    env: { FS_NODE: NODE, FS_SPEAKER_ENTRY: speakerBundle() },
    collect: ['report.json', 'speaker.log'],
    timeoutMs: 570_000, // per boot: runGuestNode boots twice at most, within the 1,200 s below
    files,
    userNetwork: true,
  });
  run = g.run;
  speakerLog = g.collected['speaker.log']!;
  report = JSON.parse(g.collected['report.json']!) as GuestReport;
}, 1_200_000);

afterAll(async () => {
  await cluster?.stop();
});

const step = (name: string): GuestStep => {
  const s = report.steps.find((x) => x.step === name);
  expect(s, `step ${name} in the report`).toBeDefined();
  return s!;
};
const tail = (): string => speakerLog.split('\n').slice(-40).join('\n');

describe('the speaker programs IPVS in a real kernel from the API (VM)', () => {
  it('the guest ran every step without errors', () => {
    expect(report.errors, tail()).toEqual([]);
    expect(run.code).toBe(0);
    expect(report.steps.map((s) => s.step)).toEqual([
      'create',
      'endpoint-change',
      'delete',
      'create-again',
      'after-sigterm',
      'after-restart',
    ]);
  });

  it('a LoadBalancer Service with an ingress IP: virtual servers per port, the address, the ipset members', () => {
    const s = step('create');
    expect(s.ok).toBe(true);
    expect(s.snapshot.virtualServers).toEqual([
      'TCP 192.0.2.10:80 rr -> 10.244.0.10:8080@1, 10.244.1.10:8080@1',
      'UDP 192.0.2.10:53 rr -> 10.244.0.10:5353@1, 10.244.1.10:5353@1',
    ]);
    expect(s.snapshot.addresses).toEqual(['192.0.2.10']);
    expect(s.snapshot.members).toEqual(
      expect.arrayContaining(['KUBE-LOAD-BALANCER: 192.0.2.10,tcp:80', 'KUBE-LOAD-BALANCER: 192.0.2.10,udp:53']),
    );
    expect(report.checks.otherClassIgnored).toBe(true);
    expect(report.checks.availableMetric).toBe(1);
    expect(report.checks.okSyncs).toBeGreaterThanOrEqual(1);
  });

  it('an endpoint change moves the real servers; deleting the Service removes all of it', () => {
    expect(step('endpoint-change').snapshot.virtualServers).toEqual([
      'TCP 192.0.2.10:80 rr -> 10.244.0.10:8080@1, 10.244.2.10:8080@1',
      'UDP 192.0.2.10:53 rr -> 10.244.0.10:5353@1, 10.244.2.10:5353@1',
    ]);
    const d = step('delete').snapshot;
    expect(d.virtualServers).toEqual([]);
    expect(d.addresses).toEqual([]);
    expect(d.members.filter((m) => m.includes('192.0.2.10'))).toEqual([]);
  });

  it('SIGTERM leaves the kernel state in place; a restarted speaker changes nothing', () => {
    expect(report.checks.sigtermExit).toBe('exited with code 0');
    expect(report.checks.stateKeptAfterSigterm).toBe(true);
    expect(step('after-sigterm').snapshot.virtualServers).toEqual([
      'TCP 192.0.2.20:80 rr -> 10.244.3.10:8080@1',
      'UDP 192.0.2.20:53 rr -> 10.244.3.10:5353@1',
    ]);
    expect(report.checks.restartOkSyncs).toBeGreaterThanOrEqual(1);
    expect(report.checks.restartChanges).toBe(0);
    expect(step('after-restart').ok).toBe(true);
    expect(report.checks.secondSigtermExit).toBe('exited with code 0');
    console.log(
      `kernel followed the API in: create ${step('create').seconds} s (incl. speaker start), endpoint change ` +
        `${step('endpoint-change').seconds} s, delete ${step('delete').seconds} s; error lines in the speaker log: ` +
        `${String(report.checks.speakerLogErrors)}; speaker RSS with IPVS programmed: ` +
        `${(Number(report.checks.speakerRssKib) / 1024).toFixed(1)} MiB`,
    );
  });
});
