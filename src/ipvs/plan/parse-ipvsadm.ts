// `ipvsadm -Sn` (rules, one per line) and `ipvsadm -Ln --exact` (the table with connection counts) into the
// kernel model. Lines that are not understood are returned as problems, never guessed at.
import { canonicalIpMemo as canonicalIp } from './ip-memo.ts';
import { familyOf, realKey, vsKey } from './keys.ts';
import type { IpvsService, Protocol } from './types.ts';

export interface ParsedIpvs {
  services: Map<string, IpvsService>;
  problems: string[];
}

/** `192.0.2.1:80` or `[2001:db8::1]:80` → canonical address and port. */
export function parseHostPort(text: string): { address: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const address = canonicalIp(m[1]!);
  const port = Number(m[2]);
  return address && port <= 65535 ? { address, port } : undefined;
}

const PROTO_FLAGS: ReadonlyMap<string, Protocol> = new Map([
  ['-t', 'TCP'],
  ['--tcp-service', 'TCP'],
  ['-u', 'UDP'],
  ['--udp-service', 'UDP'],
  ['--sctp-service', 'SCTP'],
]);

export function parseIpvsadmSave(text: string): ParsedIpvs {
  const services = new Map<string, IpvsService>();
  const problems: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const bad = (why: string): void => {
      problems.push(`ipvsadm -Sn line ${i + 1}: ${why}: ${line}`);
    };
    const tok = line.split(/\s+/);
    const cmd = tok[0];
    const proto = PROTO_FLAGS.get(tok[1] ?? '');
    const vip = tok[2] === undefined ? undefined : parseHostPort(tok[2]);
    if ((cmd !== '-A' && cmd !== '-a') || !proto || !vip) {
      // fwmark services (-f) are not FerroLB's; anything else is not understood.
      if (tok[1] !== '-f') bad('not a virtual or real server rule');
      continue;
    }
    const key = vsKey(proto, vip.address, vip.port);
    const opts = new Map<string, string>();
    for (let j = 3; j < tok.length; j++) {
      const t = tok[j]!;
      if (t === '-m' || t === '-g' || t === '-i') opts.set('forward', t);
      else if (t.startsWith('-') && j + 1 < tok.length) opts.set(t, tok[++j]!);
      else opts.set(t, '');
    }
    if (cmd === '-A') {
      const p = opts.get('-p');
      services.set(key, {
        vs: {
          protocol: proto,
          address: vip.address,
          family: familyOf(vip.address),
          port: vip.port,
          scheduler: opts.get('-s') ?? 'wlc',
          persistence: p === undefined ? undefined : Number(p),
        },
        reals: new Map(),
      });
    } else {
      const svc = services.get(key);
      const rip = parseHostPort(opts.get('-r') ?? '');
      if (!svc || !rip) {
        bad(!svc ? 'real server before its virtual server' : 'bad real server address');
        continue;
      }
      svc.reals.set(realKey(rip.address, rip.port), {
        address: rip.address,
        port: rip.port,
        weight: Number(opts.get('-w') ?? '1'),
      });
    }
  }
  return { services, problems };
}

/** `ipvsadm -Ln --exact`: the same model plus ActiveConn/InActConn per real server. */
export function parseIpvsadmList(text: string): ParsedIpvs {
  const services = new Map<string, IpvsService>();
  const problems: string[] = [];
  let current: IpvsService | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    if (
      line === '' ||
      line.startsWith('IP Virtual Server') ||
      line.startsWith('Prot ') ||
      line.startsWith('-> RemoteAddress')
    ) {
      continue;
    }
    const tok = line.split(/\s+/);
    if (tok[0] === '->') {
      const rip = parseHostPort(tok[1] ?? '');
      const [weight, active, inactive] = [tok[3], tok[4], tok[5]].map((t) =>
        t !== undefined && /^\d+$/.test(t) ? Number(t) : NaN,
      );
      if (!current || !rip || [weight, active, inactive].some((n) => Number.isNaN(n))) {
        if (current) problems.push(`ipvsadm -Ln line ${i + 1}: not a real server line: ${line}`);
        continue;
      }
      current.reals.set(realKey(rip.address, rip.port), {
        address: rip.address,
        port: rip.port,
        weight: weight!,
        activeConns: active!,
        inactiveConns: inactive!,
      });
      continue;
    }
    const proto = ({ TCP: 'TCP', UDP: 'UDP', SCTP: 'SCTP' } as const)[tok[0] as Protocol];
    const vip = tok[1] === undefined ? undefined : parseHostPort(tok[1]);
    current = undefined;
    if (!proto || !vip) {
      if (tok[0] !== 'FWM') problems.push(`ipvsadm -Ln line ${i + 1}: not a virtual server line: ${line}`);
      continue;
    }
    const pIdx = tok.indexOf('persistent');
    current = {
      vs: {
        protocol: proto,
        address: vip.address,
        family: familyOf(vip.address),
        port: vip.port,
        scheduler: tok[2] ?? 'wlc',
        persistence: pIdx > 0 ? Number(tok[pIdx + 1]) : undefined,
      },
      reals: new Map(),
    };
    services.set(vsKey(proto, vip.address, vip.port), current);
  }
  return { services, problems };
}
