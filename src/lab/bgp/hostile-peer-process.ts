// `node hostile-peer-process.ts ROLE SPEAKER LOCAL ASN [N]`, run inside a namespace: a raw TCP BGP peer
// of the FerroLB speaker playing one role, reporting JSON lines on stdout; hostile roles start on "go"
// (a line on stdin). Every loop is bounded in count.
//   healthy  a well-behaved router with hold time 3 s: KEEPALIVE every second, reads everything, and
//            enforces its hold timer as a router would (closes after 3 s without a message). Reports
//            {"ev":"stats","maxGapMs","maxKeepaliveGapMs"} every second, {"ev":"hold-expired"} if so, and
//            {"ev":"keepalive","at":ms} for every KEEPALIVE received (the benchmark's gaps).
//   refresh  on go: N ROUTE-REFRESH at once; reads everything; {"ev":"sent"} once the socket took them.
//   storm    on go: N ROUTE-REFRESH at once, then N valid UPDATEs, then N malformed UPDATEs (ORIGIN 7:
//            treat-as-withdraw), then N ROUTE-REFRESH again; reads everything. {"ev":"done"} at the end.
//   deaf     reads until Established and the initial table, then on go stops reading and keeps sending
//            ROUTE-REFRESH (1,000 every 50 ms, at most N) until the speaker closes the connection:
//            {"ev":"closed","refreshes":K}.
//   idle     on go: N TCP connections from LOCAL that never send anything; {"ev":"idle","open","closedByPeer"}.
// Events common to the BGP roles: {"ev":"established"}, {"ev":"notification","code","subcode"}, {"ev":"closed"}.
import { createConnection, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { encodeMessage, frameLength } from '../../bgp/codec/index.ts';
import type { BgpMessage, Update } from '../../bgp/codec/index.ts';
import { parseIp } from '../../net/ip.ts';

const [role, speaker, local, asnText, nText] = process.argv.slice(2);
if (!role || !speaker || !local || !asnText) {
  process.stderr.write('usage: hostile-peer-process.ts ROLE SPEAKER LOCAL ASN [N]\n');
  process.exit(2);
}
const ASN = Number(asnText);
const N = Number(nText ?? 10_000);
const CTX = { fourOctetAs: true };
const emit = (o: Record<string, unknown>): void => void process.stdout.write(JSON.stringify(o) + '\n');
const enc = (m: BgpMessage): Uint8Array => encodeMessage(m, CTX);
const KEEPALIVE = enc({ type: 'KEEPALIVE' });
const REFRESH = enc({ type: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: 0 });

function repeat(bytes: Uint8Array, n: number): Buffer<ArrayBuffer> {
  const out = Buffer.alloc(bytes.length * n);
  for (let i = 0; i < n; i++) out.set(bytes, i * bytes.length);
  return out;
}

/** N UPDATEs, each announcing one /32 of 203.0.113.0/24 (or withdrawing it, every other one). */
function updates(n: number, malformed: boolean): Buffer<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  const base = parseIp('203.0.113.0')!.value;
  for (let i = 0; i < n; i++) {
    const prefix = { family: 'ipv4' as const, prefix: base + BigInt(i % 256), length: 32 };
    const u: Update = {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { type: 'ORIGIN', origin: 'IGP' },
        { type: 'AS_PATH', segments: [{ type: 'AS_SEQUENCE', asns: [ASN] }] },
        { type: 'NEXT_HOP', nextHop: parseIp(local!)!.value },
      ],
      nlri: [prefix],
    };
    const bytes = enc(u);
    if (malformed) bytes[bytes.indexOf(0x40, 23) + 3] = 7; // ORIGIN value 7 (RFC 7606 §7.1)
    parts.push(bytes);
  }
  return Buffer.concat(parts) as Buffer<ArrayBuffer>;
}

let go = false;
const goWaiters: (() => void)[] = [];
createInterface({ input: process.stdin }).on('line', (l) => {
  if (l.trim() !== 'go') return;
  go = true;
  for (const w of goWaiters.splice(0)) w();
});
const waitGo = (): Promise<void> => (go ? Promise.resolve() : new Promise((r) => goWaiters.push(r)));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A BGP session from LOCAL to the speaker: OPEN, KEEPALIVEs; calls onEstablished once. */
function bgp(holdTime: number, onEstablished: (s: Socket) => void): Socket {
  const s = createConnection({ host: speaker!, port: 179, localAddress: local! });
  s.setNoDelay(true);
  let buf: Buffer = Buffer.alloc(0);
  let established = false;
  let lastRx = 0;
  let lastKeepalive = 0;
  let maxGapMs = 0;
  let maxKeepaliveGapMs = 0;
  let keepalives: NodeJS.Timeout | undefined;
  let watch: NodeJS.Timeout | undefined;
  const stop = (): void => {
    clearInterval(keepalives);
    clearInterval(watch);
  };
  s.on('connect', () => {
    s.write(
      enc({
        type: 'OPEN',
        version: 4,
        myAsn: ASN,
        holdTime,
        bgpId: Number(parseIp(local!)!.value),
        capabilities: [
          { type: 'MULTIPROTOCOL', afi: 1, safi: 1 },
          { type: 'ROUTE_REFRESH' },
          { type: 'FOUR_OCTET_AS', asn: ASN },
        ],
      }),
    );
  });
  s.on('data', (chunk: Buffer) => {
    const now = Date.now();
    if (established) maxGapMs = Math.max(maxGapMs, now - lastRx);
    lastRx = now;
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    let off = 0;
    for (;;) {
      const len = frameLength(buf, off);
      if (len === undefined || buf.length - off < len) break;
      const type = buf[off + 18];
      if (type === 1) s.write(KEEPALIVE);
      if (type === 3) emit({ ev: 'notification', code: buf[off + 19], subcode: buf[off + 20] });
      if (type === 4) {
        if (role === 'healthy') emit({ ev: 'keepalive', at: now });
        if (established) maxKeepaliveGapMs = Math.max(maxKeepaliveGapMs, now - lastKeepalive);
        lastKeepalive = now;
        if (!established) {
          established = true;
          emit({ ev: 'established' });
          keepalives = setInterval(() => s.write(KEEPALIVE), 1000);
          watch = setInterval(() => {
            const gap = Date.now() - lastRx;
            if (holdTime > 0 && gap > holdTime * 1000) {
              // As a router would: hold timer expired, close.
              emit({ ev: 'hold-expired', gapMs: gap });
              stop();
              s.destroy();
            }
          }, 100);
          onEstablished(s);
        }
      }
      off += len;
    }
    buf = off === buf.length ? Buffer.alloc(0) : buf.subarray(off);
  });
  const statsTimer = setInterval(() => emit({ ev: 'stats', maxGapMs, maxKeepaliveGapMs }), 1000);
  s.on('error', (e) => emit({ ev: 'error', message: e.message }));
  s.on('close', () => {
    stop();
    clearInterval(statsTimer);
    emit({ ev: 'closed' });
  });
  return s;
}

/** Writes `bytes` and waits until the socket took them (bounded by the caller's timeouts). */
function writeAll(s: Socket, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (s.write(bytes)) resolve();
    else s.once('drain', () => resolve());
    s.once('close', () => resolve());
  });
}

switch (role) {
  case 'healthy':
    bgp(3, () => {});
    break;
  case 'storm':
    bgp(90, (s) => {
      void (async () => {
        await waitGo();
        for (const [name, bytes] of [
          ['refresh-storm', repeat(REFRESH, N)],
          ['valid-updates', updates(N, false)],
          ['malformed-updates', updates(N, true)],
          ['refresh-storm-2', repeat(REFRESH, N)],
        ] as const) {
          if (s.destroyed) break;
          emit({ ev: 'phase', name, bytes: bytes.length });
          await writeAll(s, bytes);
          await sleep(500);
        }
        emit({ ev: 'done' });
      })();
    });
    break;
  case 'refresh':
    bgp(90, (s) => {
      void (async () => {
        await waitGo();
        await writeAll(s, repeat(REFRESH, N));
        emit({ ev: 'sent' });
      })();
    });
    break;
  case 'deaf':
    bgp(90, (s) => {
      void (async () => {
        await waitGo();
        s.pause(); // from here on nothing is read: the speaker's output backs up
        let sent = 0;
        for (let i = 0; sent < N && !s.destroyed; i++) {
          s.write(repeat(REFRESH, 1000));
          sent += 1000;
          await sleep(50);
        }
        emit({ ev: 'deaf-sent', refreshes: sent });
        // Keep the connection until the speaker closes it; a KEEPALIVE per second notices a reset.
        while (!s.destroyed) {
          s.write(KEEPALIVE);
          await sleep(1000);
        }
      })();
    });
    break;
  case 'idle': {
    void (async () => {
      await waitGo();
      const sockets: Socket[] = [];
      let closedByPeer = 0;
      for (let i = 0; i < N; i++) {
        const c = createConnection({ host: speaker, port: 179, localAddress: local });
        c.on('error', () => {});
        c.on('close', () => closedByPeer++);
        c.resume(); // reads (and drops) what the speaker says, never sends anything
        sockets.push(c);
      }
      setInterval(() => emit({ ev: 'idle', open: N - closedByPeer, closedByPeer }), 1000);
    })();
    break;
  }
  default:
    process.stderr.write(`unknown role ${role}\n`);
    process.exit(2);
}
