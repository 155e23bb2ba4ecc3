// The IPVS syncer's settings, with defaults (one comment per value saying why).
import type { Scheduler } from './plan/index.ts';

export interface IpvsConfig {
  enabled: boolean;
  interface: string;
  nodeName: string;
  nodeIPs: string[];
  defaultScheduler: Scheduler;
  drainTimeoutMs: number;
  drainPollMs: number;
  resyncMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  firewall: boolean;
  masquerade: boolean;
  sysctls: boolean;
  dryRun: boolean;
  assumeEmpty: boolean;
}

export function defaultIpvsConfig(): IpvsConfig {
  return {
    // On: FerroLB programs IPVS itself. Turn off where kube-proxy already runs in IPVS mode (it owns
    // kube-ipvs0 and the KUBE-* sets; two writers would undo each other).
    enabled: true,
    // kube-proxy's name, so operators' habits (`ip addr show kube-ipvs0`) keep working.
    interface: 'kube-ipvs0',
    // Set by the caller (the speaker's node); '' means no endpoint is local.
    nodeName: '',
    // The node's own addresses, for kube-proxy's SOURCE-IP rule (an LB IP reaching itself).
    nodeIPs: [],
    // kube-proxy's default when its ipvs.scheduler is empty.
    defaultScheduler: 'rr',
    // Longer than the default 30 s terminationGracePeriodSeconds: a draining pod is gone before this cuts.
    drainTimeoutMs: 60_000,
    // How often connection counts are re-read while something drains (one `ipvsadm -Ln` each time).
    drainPollMs: 2_000,
    // Re-read the kernel now and then to repair changes made behind the syncer's back.
    resyncMs: 60_000,
    // A failed apply is retried with backoff from 1 s up to 30 s (the kernel state is re-read first).
    retryBaseMs: 1_000,
    retryMaxMs: 30_000,
    // loadBalancerSourceRanges are enforced (kube-proxy does).
    firewall: true,
    // externalTrafficPolicy Cluster needs SNAT so replies come back through this node (kube-proxy's rule).
    masquerade: true,
    // Strict ARP and IPVS expiry settings; off only where the operator manages sysctls.
    sysctls: true,
    // Plan and report, change nothing (successive dry-run syncs report what changed since the last one).
    dryRun: false,
    // Dry runs only: plan as if the kernel held nothing (no ipvsadm/ipset needed, e.g. on a machine without IPVS).
    assumeEmpty: false,
  };
}
