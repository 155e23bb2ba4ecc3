// A raw BGP peer for tests: a TCP endpoint inside a namespace (raw-peer-process.ts) whose bytes the
// test writes and reads itself — valid messages from the codec's encoder, malformed ones by hand — and
// the received stream cut into messages by their headers.
import { fileURLToPath } from 'node:url';
import type { Daemon } from './exec.ts';
import { NODE_BIN } from './ferrolb.ts';
import type { Lab } from './netns.ts';
import { splitMessages, type RawMessage } from './bgp-stream.ts';
import { waitFor } from '../poll.ts';

const PROCESS = fileURLToPath(new URL('./raw-peer-process.ts', import.meta.url));

interface Connection {
  id: number;
  received: Uint8Array;
  closed: boolean;
}

export class RawPeer {
  readonly daemon: Daemon;
  private conns: Connection[] = [];
  private listening = false;
  private errors: string[] = [];

  private constructor(daemon: Daemon) {
    this.daemon = daemon;
    daemon.onLine((line) => this.onEvent(line));
  }

  static start(lab: Lab, ns: string): RawPeer {
    return new RawPeer(lab.spawn('raw-peer', ns, [NODE_BIN, PROCESS], undefined, { stdin: true }));
  }

  private onEvent(line: string): void {
    if (!line.startsWith('{')) return;
    const e = JSON.parse(line) as { ev: string; hex?: string; message?: string };
    const cur = this.conns.at(-1);
    if (e.ev === 'listening') this.listening = true;
    else if (e.ev === 'connected')
      this.conns.push({ id: this.conns.length + 1, received: new Uint8Array(0), closed: false });
    else if (e.ev === 'data' && cur) {
      const d = Buffer.from(e.hex ?? '', 'hex');
      const next = new Uint8Array(cur.received.length + d.length);
      next.set(cur.received);
      next.set(d, cur.received.length);
      cur.received = next;
    } else if (e.ev === 'closed' && cur) cur.closed = true;
    else if (e.ev === 'error') this.errors.push(e.message ?? '');
  }

  private command(o: Record<string, unknown>): void {
    this.daemon.child.stdin!.write(JSON.stringify(o) + '\n');
  }

  async listen(host: string, port = 179): Promise<void> {
    this.command({ op: 'listen', host, port });
    await waitFor(() => this.listening, {
      what: 'raw peer listening',
      timeoutMs: 10_000,
      intervalMs: 20,
      diagnostics: () => this.diagnostics(),
    });
  }

  /** Connects (a new connection each call) and waits until it is up; returns its number. */
  async connect(host: string, localAddress: string, port = 179): Promise<number> {
    const before = this.conns.length;
    this.command({ op: 'connect', host, port, localAddress });
    await waitFor(() => this.conns.length > before || (this.errors.length > 0 && this.errors.at(-1)), {
      what: `raw peer connected to ${host}`,
      timeoutMs: 10_000,
      intervalMs: 20,
      diagnostics: () => this.diagnostics(),
    });
    if (this.conns.length === before) throw new Error(`raw peer connect to ${host}: ${this.errors.at(-1)}`);
    return this.conns.length;
  }

  /** Waits for the next incoming connection after `after` connections. */
  async waitConnection(after: number, timeoutMs = 20_000): Promise<number> {
    await waitFor(() => this.conns.length > after, {
      what: 'a connection to the raw peer',
      timeoutMs,
      intervalMs: 20,
      diagnostics: () => this.diagnostics(),
    });
    return this.conns.length;
  }

  send(bytes: Uint8Array): void {
    this.command({ op: 'send', hex: Buffer.from(bytes).toString('hex') });
  }

  end(): void {
    this.command({ op: 'end' });
  }

  get connectionCount(): number {
    return this.conns.length;
  }

  /** Whole messages received on the current (latest) connection. */
  messages(): RawMessage[] {
    const cur = this.conns.at(-1);
    return cur ? splitMessages(cur.received) : [];
  }

  closed(): boolean {
    return this.conns.at(-1)?.closed ?? false;
  }

  /** Waits for a message of `type` (1 OPEN ... 5 ROUTE-REFRESH) beyond the first `skip` of that type. */
  async waitMessage(type: number, what: string, skip = 0, timeoutMs = 10_000): Promise<RawMessage> {
    return waitFor(() => this.messages().filter((m) => m.type === type)[skip], {
      what,
      timeoutMs,
      intervalMs: 10,
      diagnostics: () => this.diagnostics(),
    });
  }

  diagnostics(): string {
    const types = this.messages()
      .map((m) => m.type)
      .join(',');
    return `raw peer: ${this.conns.length} connection(s), current closed=${this.closed()}, message types [${types}], errors ${JSON.stringify(this.errors)}\n${this.daemon.output().slice(-1000)}`;
  }
}
