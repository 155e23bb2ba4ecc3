// `ferrolb l2`: Layer 2 mode standalone, for labs and debugging: answers ARP and NDP for the given IPs on
// the given interfaces and announces them. Events go to stdout, one line each (see HELP).
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createLogger, fdDestination } from '../log/index.ts';
import { Layer2 } from '../l2/index.ts';
import { canonicalIp } from '../net/ip.ts';
import { systemClock } from '../time/index.ts';
import type { CliIo } from './io.ts';

const HELP = `usage: ferrolb l2 --interface IF [--interface IF...] --ip ADDR [--ip ADDR...] [options]

Answers ARP requests and IPv6 Neighbor Solicitations for every ADDR on every IF (the addresses need not be
configured on any interface), announces them at once (gratuitous ARP / unsolicited NA with Override),
repeats and refreshes the announcements, and reports other MACs claiming them. Runs until SIGTERM/SIGINT.

options:
  --interface IF        interface to answer on (repeatable; '*' = every usable interface). Interfaces that
                        are down, NOARP, or enslaved to a bond/bridge are skipped and reported.
  --ip ADDR             IPv4 or IPv6 address to own (repeatable)
  --repeats N           announcements after the first one (default 2)
  --repeat-interval MS  gap between repeats (default 1100: more than Linux's 1 s ARP locktime)
  --refresh MS          re-announce every MS after the repeats; 0 = never (default 60000)
  --stdin               also read desired states from stdin, one JSON object per line:
                        {"interface": ["ADDR", ...], ...} replaces what is owned (for labs and tests)
  --events LIST         print only these kinds of lines (comma-separated: active,skipped,set,announced,
                        answered,conflict; default all), e.g. without answered at high request rates
  --timestamps          add mono=<CLOCK_MONOTONIC ns> to every line (to compare with other processes)
  --log-level L         level of the structured logs on stderr (default warn)
  -h, --help            this text

output (stdout), one line per event:
  active interface=IF mac=MAC
  skipped interface=IF reason=not-allowed|not-found|not-ethernet|interface-down|interface-noarp|interface-enslaved|
                                                   open-failed (e.g. no CAP_NET_RAW; retried every 5 s)
  set ips=N [set-start=NS]                      after each desired state is applied (set-start: when
                                                set() was called, with --timestamps)
  announced ip=ADDR interface=IF mac=MAC reason=gained|repeat|refresh|reassert
  answered ip=ADDR interface=IF mac=MAC requester=MAC requester-ip=ADDR [unicast]
  conflict ip=ADDR interface=IF mac=THEIR_MAC ours=OUR_MAC evidence=arp-request|arp-reply|neighbor-advertisement|neighbor-solicitation
  stopped
exit: 0 after SIGTERM/SIGINT, 2 for usage errors, 1 when the addresses cannot be applied.
`;

function intOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new Error(`--${name}: "${v}" is not a non-negative integer`);
  return Number(v);
}

export async function l2Command(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        interface: { type: 'string', multiple: true },
        ip: { type: 'string', multiple: true },
        repeats: { type: 'string' },
        'repeat-interval': { type: 'string' },
        refresh: { type: 'string' },
        stdin: { type: 'boolean' },
        timestamps: { type: 'boolean' },
        events: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    io.stderr(`ferrolb l2: ${(err as Error).message}\n${HELP}`);
    return 2;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const interfaces = values.interface ?? [];
  const ips = values.ip ?? [];
  const KINDS = ['active', 'skipped', 'set', 'announced', 'answered', 'conflict'];
  let announce;
  let shown: Set<string>;
  try {
    shown = new Set(values.events === undefined ? KINDS : values.events.split(',').map((k) => k.trim()));
    for (const k of shown)
      if (!KINDS.includes(k)) throw new Error(`--events: unknown kind "${k}" (known: ${KINDS.join(', ')})`);
    if (interfaces.length === 0) throw new Error('--interface is required');
    if (ips.length === 0 && !values.stdin) throw new Error('--ip is required (or --stdin)');
    for (const ip of ips)
      if (canonicalIp(ip) === undefined) throw new Error(`--ip: "${ip}" is not an IPv4 or IPv6 address`);
    announce = {
      ...(values.repeats !== undefined && { repeats: intOption(values.repeats, 'repeats')! }),
      ...(values['repeat-interval'] !== undefined && {
        repeatIntervalMs: intOption(values['repeat-interval'], 'repeat-interval')!,
      }),
      ...(values.refresh !== undefined && { refreshIntervalMs: intOption(values.refresh, 'refresh')! }),
    };
  } catch (err) {
    io.stderr(`ferrolb l2: ${(err as Error).message}\n${HELP}`);
    return 2;
  }
  const stamp = values.timestamps ? (): string => ` mono=${process.hrtime.bigint()}` : (): string => '';
  // Lines are gathered and written once per event-loop turn: a 1,000-IP move is 1,000 lines, and one
  // write per line would cost more than the announcements themselves.
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    io.stdout(text);
  };
  const out = (line: string): void => {
    if (!shown.has(line.slice(0, line.indexOf(' '))) && line !== 'stopped') return;
    if (pending.length === 0) setImmediate(flush);
    pending.push(`${line}${stamp()}\n`);
  };
  const logger = createLogger({ level: values['log-level'] ?? 'warn' }, fdDestination(2));
  const l2 = new Layer2({
    clock: systemClock,
    logger,
    interfaces: interfaces.includes('*') ? undefined : interfaces,
    announce,
  });
  l2.on('active', (e) => out(`active interface=${e.interface} mac=${e.mac}`));
  l2.on('skipped', (e) => out(`skipped interface=${e.interface} reason=${e.reason}`));
  l2.on('announced', (e) => out(`announced ip=${e.ip} interface=${e.interface} mac=${e.mac} reason=${e.reason}`));
  // Only when printed: without a listener the library does not build the event at all.
  if (shown.has('answered'))
    l2.on('answered', (e) =>
      out(
        `answered ip=${e.ip} interface=${e.interface} mac=${e.mac} requester=${e.requesterMac} requester-ip=${e.requesterIp}${e.unicast ? ' unicast' : ''}`,
      ),
    );
  l2.on('conflict', (e) =>
    out(`conflict ip=${e.ip} interface=${e.interface} mac=${e.mac} ours=${e.ourMac} evidence=${e.evidence}`),
  );
  const apply = (desired: Map<string, string[]>): void => {
    const started = process.hrtime.bigint();
    l2.set(desired);
    let n = 0;
    for (const s of l2.owned().values()) n += s.size;
    out(`set ips=${n}${values.timestamps ? ` set-start=${started}` : ''}`);
  };
  try {
    apply(new Map(interfaces.map((i) => [i, ips])));
  } catch (err) {
    l2.close();
    flush();
    io.stderr(`ferrolb l2: ${(err as Error).message}\n`);
    return 1;
  }
  let rl: ReturnType<typeof createInterface> | undefined;
  if (values.stdin) {
    rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      if (line.trim() === '') return;
      try {
        const obj = JSON.parse(line) as Record<string, string[]>;
        if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
          throw new Error('expected {"interface": ["ADDR", ...]}');
        apply(new Map(Object.entries(obj).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : []])));
      } catch (err) {
        io.stderr(`ferrolb l2: stdin: ${(err as Error).message}\n`);
      }
    });
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  rl?.close();
  l2.close();
  out('stopped');
  flush();
  return 0;
}
