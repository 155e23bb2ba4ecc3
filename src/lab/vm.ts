// A throwaway VM for what this machine's kernel cannot do (IPVS is not in it; nested KVM does not work):
// Debian's linux-image-amd64 under qemu-system-x86_64 with TCG, booted from the initramfs that
// scripts/vm/prepare.sh builds, with this machine's root mounted read-only over virtfs (so ipvsadm, ipset,
// iptables and the project's Node 24 run in the guest as they are) and one writable share for results.
// `runInVm` writes the command as <share>/cmd.sh, boots, waits for the guest to power off, and returns the
// command's exit code and output (the serial console is kept too, for when the guest never got that far).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_NODE, REPO_ROOT } from './repo-paths.ts';

export { REPO_ROOT } from './repo-paths.ts';

export interface VmImage {
  /** Folder holding vmlinuz, initrd.img and modules-root (the extracted kernel package). */
  dir: string;
  kernelVersion: string;
}

/** Installs and builds what the VM needs (idempotent; cached in ~/.cache/ferrolb/vm). */
export function prepareVm(): VmImage {
  const r = spawnSync('bash', [join(REPO_ROOT, 'scripts/vm/prepare.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`scripts/vm/prepare.sh failed with exit code ${r.status}`);
  const dir = r.stdout.trim().split('\n').pop()!;
  return { dir, kernelVersion: spawnSync('cat', [join(dir, 'kernel')], { encoding: 'utf8' }).stdout.trim() };
}

export interface VmRun {
  /** The command's exit code; undefined when the guest never wrote one (boot failure, timeout). */
  code: number | undefined;
  /** The command's stdout + stderr. */
  output: string;
  /** The serial console. */
  console: string;
  /** The share folder (kept when `keepShare`), where the guest may leave files. */
  share: string;
  timedOut: boolean;
}

export interface VmOptions {
  image: VmImage;
  /** Shell script run in the guest as root with `sh`, in a fresh VM. */
  script: string;
  /** Kill the VM after this long (TCG is slow; be generous). */
  timeoutMs: number;
  memoryMb?: number;
  cpus?: number;
  /** Files to place in the share before boot (name → contents). */
  files?: Record<string, string>;
  /** Leave the share folder for the caller to read (it removes it). */
  keepShare?: boolean;
  /** Console lines as they arrive (progress for long runs). */
  onConsole?: (line: string) => void;
  /**
   * A NIC on qemu's user-mode network (default none), numbered from a documentation prefix instead of
   * qemu's 10.0.2.0/24: the guest (after `GUEST_NETWORK_UP` below) is VM_GUEST_IP and reaches the host's
   * 127.0.0.1 at VM_HOST_IP — e.g. a kube-apiserver on the host. The guest gets no default route, so it
   * can reach nothing but that prefix.
   */
  userNetwork?: boolean;
}

/** The user-mode network's prefix, the host as the guest sees it, and the guest's own address. */
export const VM_NET = '198.51.100.0/24';
export const VM_HOST_IP = '198.51.100.2';
export const VM_GUEST_IP = '198.51.100.15';

/** Guest shell lines bringing the user-mode NIC up as VM_GUEST_IP/24 (on-link route only, no default). */
export const GUEST_NETWORK_UP = `modprobe -d "$FERROLB_VM_MODULES" virtio_net || echo "modprobe virtio_net failed"
nic=
for _ in 1 2 3 4 5 6 7 8 9 10; do
  for n in /sys/class/net/*; do [ -e "$n/device" ] && nic=\${n##*/}; done
  [ -n "$nic" ] && break; sleep 0.5
done
ip link set "$nic" up && ip addr add ${VM_GUEST_IP}/24 dev "$nic"
`;

export async function runInVm(o: VmOptions): Promise<VmRun> {
  const share = await mkdtemp(join(tmpdir(), 'ferrolb-vm-'));
  await writeFile(join(share, 'cmd.sh'), o.script);
  for (const [name, text] of Object.entries(o.files ?? {})) await writeFile(join(share, name), text);
  const append = [
    'console=ttyS0',
    'quiet',
    'panic=-1',
    `ferrolb.init=${join(REPO_ROOT, 'scripts/vm/guest-init.sh')}`,
    `ferrolb.share=${share}`,
    `ferrolb.modules=${join(o.image.dir, 'modules-root')}`,
  ].join(' ');
  const args = [
    '-accel',
    'tcg,thread=multi',
    '-m',
    String(o.memoryMb ?? 1024),
    '-smp',
    String(o.cpus ?? 2),
    '-nographic',
    '-no-reboot',
    '-nic',
    o.userNetwork
      ? `user,model=virtio-net-pci,net=${VM_NET},host=${VM_HOST_IP},dhcpstart=${VM_GUEST_IP},ipv6=off`
      : 'none',
    '-kernel',
    join(o.image.dir, 'vmlinuz'),
    '-initrd',
    join(o.image.dir, 'initrd.img'),
    '-append',
    append,
    '-fsdev',
    'local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap',
    '-device',
    'virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot',
    '-fsdev',
    `local,id=share,path=${share},security_model=none`,
    '-device',
    'virtio-9p-pci,fsdev=share,mount_tag=share',
  ];
  const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let consoleText = '';
  let partial = '';
  const onData = (b: Buffer): void => {
    const s = b.toString();
    consoleText += s;
    if (!o.onConsole) return;
    partial += s;
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) o.onConsole(l.replace(/\r$/, ''));
  };
  qemu.stdout.on('data', onData);
  qemu.stderr.on('data', onData);
  let timedOut = false;
  const killer = setTimeout(() => {
    timedOut = true;
    qemu.kill('SIGKILL');
  }, o.timeoutMs);
  await new Promise<void>((res) => qemu.on('close', () => res()));
  clearTimeout(killer);
  const read = async (name: string): Promise<string | undefined> =>
    readFile(join(share, name), 'utf8').catch(() => undefined);
  const rc = await read('rc');
  const output = (await read('out')) ?? '';
  if (!o.keepShare) await rm(share, { recursive: true, force: true });
  return { code: rc === undefined ? undefined : Number(rc.trim()), output, console: consoleText, share, timedOut };
}

/**
 * Every Node process in the guest runs with these V8 flags. Under qemu TCG with two vCPUs (MTTCG) about one
 * guest Node process in 10–20 died in V8 itself (SIGSEGV, or a failed check in the WebAssembly code of Node's
 * TypeScript stripper) while V8's background threads compiled and patched code. Measured on 30 November 2026,
 * 20 starts each of the same TypeScript entry in the guest: no flag 1 crash, `--no-wasm-tier-up` 1 crash,
 * `--single-threaded` (no background compile or GC threads) none, and none in 40 more. It is not the whole
 * cure: a speaker started with it still died once (SIGTRAP) in CI, so the speaker in the guest runs the
 * bundle built on the host (speakerBundle: plain JavaScript, no stripper), the netlink
 * check re-runs a guest process killed by a signal once (guest-netlink.ts), and runGuestNode boots once
 * more when the guest's entry itself dies by a signal, whatever report it had written by then, or hangs
 * and is killed at its deadline (fresh-clone CI runs, 30 November: a SIGSEGV of guest-check.ts, and a V8
 * fatal error that hung it; each time the same test then passed). Only for the emulated
 * guest: a speaker on a real node runs as its DaemonSet says.
 */
export const GUEST_NODE_FLAGS: readonly string[] = ['--single-threaded'];
/** The checkout's Node with GUEST_NODE_FLAGS, as argv words for the guest. */
export const GUEST_NODE: readonly string[] = [PROJECT_NODE, ...GUEST_NODE_FLAGS];

/** The guest script's preamble: every module the IPVS tests and benchmark use, from the extracted kernel. */
export const LOAD_MODULES = `set -e
for m in dummy veth ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc ip_vs_lblcr ip_vs_dh ip_vs_sh ip_vs_sed ip_vs_nq ip_vs_mh \\
    ip_set ip_set_hash_ipport ip_set_hash_ipportnet ip_set_hash_ipportip nf_conntrack nf_nat nf_tables nft_compat \\
    xt_set xt_mark xt_MASQUERADE xt_conntrack nft_chain_nat iptable_filter iptable_nat ip6table_filter ip6table_nat sctp; do
  modprobe -d "$FERROLB_VM_MODULES" "$m" || echo "modprobe $m failed (continuing)"
done
set +e
`;

export interface GuestNodeRun {
  run: VmRun;
  /** The share's files named in `collect`, as the guest left them ('' when absent). */
  collected: Record<string, string>;
}

/**
 * Boots the VM, loads the modules (and brings the user-mode NIC up when asked), exports `env`, and runs
 * the repo-relative TypeScript `file` with the checkout's Node; then reads the share files named in
 * `collect`. The first of them is the guest's report: without it the run failed, and the error carries
 * the guest's output and console tail.
 */
export async function runGuestNode(o: GuestNodeOptions): Promise<GuestNodeRun> {
  const first = await runGuestNodeOnce(o);
  // The guest's Node killed by a signal (139 SIGSEGV, 133 SIGTRAP: V8 under qemu TCG, see GUEST_NODE_FLAGS;
  // 137: hung after a V8 fatal error and killed at its deadline), whatever report it had written so far: one
  // fresh boot more, said loudly; a second death, or any other failure, stands.
  if ('collected' in first) return first;
  const code = first.run.code ?? 0;
  if (!diedBySignal(code) || first.run.timedOut) throw first.error;
  console.warn(`[vm] the guest's node died by signal ${code - 128}: booting once more`);
  const second = await runGuestNodeOnce(o);
  if ('collected' in second) return second;
  throw second.error;
}

/** A shell's exit code for a process killed by a signal (128 + its number). */
const diedBySignal = (code: number): boolean => code >= 129 && code <= 159;

/**
 * How long the guest's Node may run, in seconds: the VM's deadline less two minutes for the boot, the
 * modules and the report. A V8 fatal error under TCG has hung the guest's Node after printing its stack
 * (30 November: "Check failed: it->second.Size() > offset" in guest-check.ts); killed at this deadline it
 * counts as a signal death, and runGuestNode boots once more instead of waiting for the VM's own deadline.
 */
export const guestNodeSeconds = (vmTimeoutMs: number): number =>
  Math.max(60, Math.floor((vmTimeoutMs - 120_000) / 1000));

interface GuestNodeOptions {
  image: VmImage;
  file: string;
  env?: Record<string, string | number>;
  collect: [string, ...string[]];
  /** The VM's deadline, per boot (runGuestNode may boot twice); the guest's Node gets guestNodeSeconds of it. */
  timeoutMs: number;
  files?: Record<string, string>;
  userNetwork?: boolean;
}

async function runGuestNodeOnce(o: GuestNodeOptions): Promise<GuestNodeRun | { run: VmRun; error: Error }> {
  const exports = Object.entries(o.env ?? {})
    .map(([k, v]) => `export ${k}=${String(v)}\n`)
    .join('');
  const started = Date.now();
  const run = await runInVm({
    image: o.image,
    ...(o.userNetwork ? { userNetwork: true } : {}),
    ...(o.files ? { files: o.files } : {}),
    script: `${LOAD_MODULES}\n${o.userNetwork ? GUEST_NETWORK_UP : ''}${exports}cd ${REPO_ROOT}\ntimeout -s KILL ${guestNodeSeconds(o.timeoutMs)} ${GUEST_NODE.join(' ')} ${o.file}\n`,
    timeoutMs: o.timeoutMs,
    memoryMb: 1536,
    keepShare: true,
    onConsole: (l) => {
      if (l.includes('ferrolb-vm') || l.includes('Kernel panic')) console.log(`[vm] ${l}`);
    },
  });
  console.log(`VM run: ${((Date.now() - started) / 1000).toFixed(1)} s, exit ${run.code}`);
  const collected: Record<string, string> = {};
  for (const name of o.collect) collected[name] = await readFile(join(run.share, name), 'utf8').catch(() => '');
  await rm(run.share, { recursive: true, force: true });
  if (!collected[o.collect[0]] || diedBySignal(run.code ?? 0))
    return {
      run,
      error: new Error(
        `the guest ${collected[o.collect[0]] ? 'died by a signal' : `left no ${o.collect[0]}`} (exit ${run.code}, timed out: ${run.timedOut})\n${run.output}\n${run.console.slice(-3000)}`,
      ),
    };
  console.log(run.output);
  return { run, collected };
}
