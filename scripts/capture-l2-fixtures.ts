// Regenerates test/fixtures/l2/*.hex: ARP and NDP frames as Linux's kernel, arping (Habets) and ndisc6 put
// them on the wire, one frame per file (hex, one line; a first line `# <what produced it>`).
//
//   node_modules/.bin/node scripts/capture-l2-fixtures.ts [OUT_DIR]     (root: network namespaces)
//
// Two namespaces fl2-cap-a (192.0.2.1, 2001:db8::1) and fl2-cap-b (192.0.2.2, 2001:db8::2) joined by a
// veth; tcpdump in fl2-cap-b writes a pcap per step, which this script splits into frames. Everything it
// creates is removed at the end, also after a failure.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = process.argv[2] ?? fileURLToPath(new URL('../test/fixtures/l2/', import.meta.url));
const A = 'fl2-cap-a';
const B = 'fl2-cap-b';
const MAC_A = '02:00:5e:10:00:0a';
const MAC_B = '02:00:5e:10:00:0b';

function sh(argv: string[], ns?: string): string {
  const full = ns ? ['ip', 'netns', 'exec', ns, ...argv] : argv;
  return execFileSync(full[0]!, full.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
function shTry(argv: string[], ns?: string): void {
  try {
    sh(argv, ns);
  } catch {
    // a tool exiting non-zero (arping without a reply) is fine: the capture decides
  }
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function teardown(): void {
  for (const ns of [A, B]) shTry(['ip', 'netns', 'del', ns]);
}

function setup(): void {
  teardown();
  for (const ns of [A, B]) {
    sh(['ip', 'netns', 'add', ns]);
    sh(['ip', 'link', 'set', 'lo', 'up'], ns);
  }
  sh([
    'ip',
    'link',
    'add',
    'veth0',
    'netns',
    A,
    'address',
    MAC_A,
    'type',
    'veth',
    'peer',
    'name',
    'veth0',
    'netns',
    B,
    'address',
    MAC_B,
  ]);
  for (const [ns, v4, v6] of [
    [A, '192.0.2.1/24', '2001:db8::1/64'],
    [B, '192.0.2.2/24', '2001:db8::2/64'],
  ] as const) {
    sh(['ip', 'addr', 'add', v4, 'dev', 'veth0'], ns);
    sh(['ip', 'addr', 'add', v6, 'dev', 'veth0', 'nodad'], ns);
    sh(['ip', 'link', 'set', 'veth0', 'up'], ns);
  }
}

/** Frames of a classic pcap file (either byte order, microsecond or nanosecond). */
function pcapFrames(file: string): Uint8Array[] {
  const b = readFileSync(file);
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && b.readUInt32BE(0) !== 0xa1b2c3d4 && b.readUInt32BE(0) !== 0xa1b23c4d)
    throw new Error(`${file}: not a pcap file`);
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  if (u32(20) !== 1) throw new Error(`${file}: link type ${u32(20)}, expected 1 (Ethernet)`);
  const out: Uint8Array[] = [];
  for (let o = 24; o + 16 <= b.length;) {
    const incl = u32(o + 8);
    out.push(new Uint8Array(b.subarray(o + 16, o + 16 + incl)));
    o += 16 + incl;
  }
  return out;
}

interface Step {
  /** File names, one per expected frame, in capture order. */
  names: string[];
  what: string[];
  filter: string;
  iface?: string;
  action: () => void;
}

const STEPS: Step[] = [
  {
    names: ['arping-request', 'kernel-arp-reply'],
    what: [
      'arping -c 1 -i veth0 192.0.2.2 (ARP request, from arping)',
      'the Linux kernel answering arping (ARP reply)',
    ],
    filter: 'arp',
    action: () => shTry(['arping', '-c', '1', '-w', '2', '-i', 'veth0', '192.0.2.2'], A),
  },
  {
    names: ['kernel-arp-request', 'kernel-arp-reply-to-kernel'],
    what: ['the Linux kernel resolving 192.0.2.2 for ping (ARP request)', 'the Linux kernel answering it (ARP reply)'],
    filter: 'arp',
    action: () => {
      shTry(['ip', 'neigh', 'flush', 'dev', 'veth0'], A);
      shTry(['ping', '-c', '1', '-W', '2', '192.0.2.2'], A);
    },
  },
  {
    names: ['arping-unsolicited-request'],
    what: ['arping -U -c 1 -i veth0 192.0.2.1 (gratuitous ARP, request form)'],
    filter: 'arp',
    action: () => shTry(['arping', '-U', '-c', '1', '-w', '1', '-i', 'veth0', '-S', '192.0.2.1', '192.0.2.1'], A),
  },
  {
    names: ['arping-unsolicited-reply'],
    what: ['arping -U -P -c 1 -i veth0 192.0.2.1 (gratuitous ARP, reply form)'],
    filter: 'arp',
    action: () => shTry(['arping', '-U', '-P', '-c', '1', '-w', '1', '-i', 'veth0', '-S', '192.0.2.1', '192.0.2.1'], A),
  },
  {
    names: ['arping-vlan-request'],
    what: ['arping -V 10 -c 1 -i veth0 198.51.100.2 (ARP request with an 802.1Q tag built by arping, VLAN 10)'],
    filter: 'vlan and arp',
    action: () =>
      shTry(['arping', '-V', '10', '-c', '1', '-w', '1', '-i', 'veth0', '-S', '198.51.100.1', '198.51.100.2'], A),
  },
  {
    names: ['ndisc6-solicitation', 'kernel-advertisement-to-ndisc6'],
    what: [
      'ndisc6 -1 -r 1 2001:db8::2 veth0 (Neighbor Solicitation, from ndisc6)',
      'the Linux kernel answering it (solicited NA)',
    ],
    filter: 'icmp6 and (ip6[40] == 135 or ip6[40] == 136)',
    action: () => shTry(['ndisc6', '-1', '-r', '1', '-w', '1000', '2001:db8::2', 'veth0'], A),
  },
  {
    names: ['kernel-solicitation', 'kernel-advertisement'],
    what: [
      'the Linux kernel resolving 2001:db8::2 for ping (multicast NS)',
      'the Linux kernel answering it (solicited NA)',
    ],
    filter: 'icmp6 and (ip6[40] == 135 or ip6[40] == 136)',
    action: () => {
      shTry(['ip', '-6', 'neigh', 'flush', 'dev', 'veth0'], A);
      shTry(['ping', '-6', '-c', '1', '-W', '2', '2001:db8::2'], A);
    },
  },
  {
    names: ['kernel-unsolicited-advertisement'],
    what: ['the Linux kernel announcing a changed MAC (ndisc_notify=1: unsolicited NA to ff02::1, Override set)'],
    filter: 'icmp6 and ip6[40] == 136',
    action: () => {
      sh(['sysctl', '-qw', 'net.ipv6.conf.veth0.ndisc_notify=1'], A);
      sh(['ip', 'link', 'set', 'veth0', 'address', '02:00:5e:10:00:1a'], A);
    },
  },
];

async function capture(step: Step, dir: string, i: number): Promise<Uint8Array[]> {
  const file = join(dir, `step-${i}.pcap`);
  const count = String(step.names.length);
  const dump = spawn(
    'ip',
    ['netns', 'exec', B, 'tcpdump', '-i', step.iface ?? 'veth0', '-U', '-n', '-c', count, '-w', file, step.filter],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  dump.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  for (let t = 0; !err.includes('listening on') && t < 100; t++) await sleep(100);
  const exited = new Promise<void>((r) => dump.on('exit', () => r()));
  step.action();
  const timeout = setTimeout(() => dump.kill('SIGINT'), 5000);
  await exited;
  clearTimeout(timeout);
  const frames = existsSync(file) ? pcapFrames(file) : [];
  if (frames.length < step.names.length) {
    throw new Error(`step ${step.names.join(', ')}: captured ${frames.length} of ${step.names.length} frames\n${err}`);
  }
  return frames;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('capture-l2-fixtures needs root (network namespaces)');
  mkdirSync(OUT, { recursive: true });
  const tmp = join(OUT, '.capture-tmp');
  mkdirSync(tmp, { recursive: true });
  try {
    setup();
    for (const [i, step] of STEPS.entries()) {
      const frames = await capture(step, tmp, i);
      step.names.forEach((name, k) => {
        const hex = Buffer.from(frames[k]!).toString('hex');
        writeFileSync(join(OUT, `${name}.hex`), `# ${step.what[k]}\n${hex}\n`);
        console.log(`${name}.hex  ${frames[k]!.length} octets  ${step.what[k]}`);
      });
    }
  } finally {
    teardown();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
