// `node raw-peer-process.ts`, run inside a namespace: a bare TCP endpoint driven by JSON lines on stdin
// and reporting on stdout, so a test (which cannot enter a namespace itself) can speak raw BGP bytes.
//   {"op":"connect","host":H,"port":P,"localAddress":A}   {"op":"listen","host":H,"port":P}
//   {"op":"send","hex":"..."}   {"op":"end"}   {"op":"destroy"}
// Events: {"ev":"listening"} {"ev":"connected"} {"ev":"data","hex":"..."} {"ev":"closed"} {"ev":"error","message":M}
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

let sock: Socket | undefined;
let server: Server | undefined;
const emit = (o: Record<string, unknown>): void => void process.stdout.write(JSON.stringify(o) + '\n');

function attach(s: Socket): void {
  sock = s;
  s.setNoDelay(true);
  s.on('data', (d: Buffer) => emit({ ev: 'data', hex: d.toString('hex') }));
  s.on('close', () => {
    emit({ ev: 'closed' });
    if (sock === s) sock = undefined;
  });
  s.on('error', (e) => emit({ ev: 'error', message: e.message }));
  emit({ ev: 'connected', remote: s.remoteAddress });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  let cmd: { op?: string; host?: string; port?: number; localAddress?: string; hex?: string };
  try {
    cmd = JSON.parse(line) as typeof cmd;
  } catch {
    return emit({ ev: 'error', message: `bad command line ${JSON.stringify(line)}` });
  }
  switch (cmd.op) {
    case 'connect':
      attach(
        createConnection({
          host: cmd.host!,
          port: cmd.port ?? 179,
          ...(cmd.localAddress ? { localAddress: cmd.localAddress } : {}),
        }),
      );
      return;
    case 'listen':
      server = createServer((s) => {
        // One connection at a time: a newer one replaces the older (tests reconnect per case).
        sock?.destroy();
        attach(s);
      });
      server.on('error', (e) => emit({ ev: 'error', message: e.message }));
      server.listen(cmd.port ?? 179, cmd.host, () => emit({ ev: 'listening' }));
      return;
    case 'send':
      if (!sock) return emit({ ev: 'error', message: 'send: not connected' });
      sock.write(Buffer.from(cmd.hex ?? '', 'hex'));
      return;
    case 'end':
      sock?.end();
      return;
    case 'destroy':
      sock?.destroy();
      return;
    default:
      emit({ ev: 'error', message: `unknown op ${String(cmd.op)}` });
  }
});
process.stdin.on('end', () => {
  sock?.destroy();
  server?.close();
});
