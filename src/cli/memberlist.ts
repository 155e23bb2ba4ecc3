// `ferrolb memberlist`: one membership node standalone (labs, integration tests, the membership benchmark).
// stdout, one line per event: `<unix_ms> join|leave|update <node> <alive|suspect|dead|left>`.
// SIGTERM/SIGINT: graceful leave (bounded), then exit 0. Structured logs (src/log, JSON lines) go to stderr.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createLogger, fdDestination } from '../log/index.ts';
import { Memberlist, parseKeyFile } from '../memberlist/index.ts';
import type { CliIo } from './io.ts';

const HELP = `usage: ferrolb memberlist --name NAME --bind ADDR [--port N] [--join ADDR:PORT,...] [--key-file F]

Runs one membership node (SWIM gossip with Lifeguard over UDP/TCP, AES-256-GCM) and prints one line per
membership event on stdout:
  <unix_ms> join|leave|update <node> <alive|suspect|dead|left>
SIGTERM or SIGINT: leave gracefully (peers see "leave <node> left"), then exit.

options:
  --name NAME            this node's unique name (required)
  --bind ADDR            IP address to bind and announce (required)
  --port N               UDP and TCP port (default 7946; 0 = any free port)
  --join A:P,...         peers to join; re-dialled while they are missing (repeatable)
  --key-file F           keyring: one base64 32-octet key per line, the first is primary; SIGHUP re-reads it
  --label L              cluster label bound into authentication (default "ferrolb")
  --insecure-plaintext   no encryption (only without --key-file; labs only)
  --log-level L          level of the structured logs on stderr (default warn)
  -h, --help             this text
`;

export async function memberlistCommand(args: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        name: { type: 'string' },
        bind: { type: 'string' },
        port: { type: 'string', default: '7946' },
        join: { type: 'string', multiple: true },
        'key-file': { type: 'string' },
        label: { type: 'string', default: 'ferrolb' },
        'insecure-plaintext': { type: 'boolean', default: false },
        'log-level': { type: 'string', default: 'warn' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    io.stderr(`ferrolb memberlist: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const usage = (msg: string): number => {
    io.stderr(`ferrolb memberlist: ${msg}\n`);
    return 2;
  };
  if (!values.name) return usage('--name is required');
  if (!values.bind) return usage('--bind is required');
  if (!/^\d+$/.test(values.port) || Number(values.port) > 65535)
    return usage(`--port: "${values.port}" is not a port number`);
  const keyFile = values['key-file'];
  if (!keyFile && !values['insecure-plaintext']) return usage('give --key-file (encryption) or --insecure-plaintext');
  if (keyFile && values['insecure-plaintext']) return usage('--key-file and --insecure-plaintext exclude each other');
  const peers = (values.join ?? []).flatMap((j) => j.split(',')).filter((s) => s !== '');

  const readKeys = async (f: string): Promise<Uint8Array[]> => parseKeyFile(await readFile(f, 'utf8'), f);
  let keys: Uint8Array[] | undefined;
  try {
    keys = keyFile ? await readKeys(keyFile) : undefined;
  } catch (e) {
    io.stderr(`ferrolb memberlist: ${(e as Error).message}\n`);
    return 1;
  }
  const logger = createLogger({ level: values['log-level'] }, fdDestination(2));
  let ml: Memberlist;
  try {
    ml = new Memberlist({
      name: values.name,
      ...(keys ? { keys } : { allowPlaintext: true }),
      label: values.label,
      logger,
    });
    ml.subscribe((e) => io.stdout(`${e.at} ${e.kind} ${e.member.name} ${e.member.state}\n`));
    await ml.start(values.bind, Number(values.port));
    if (peers.length > 0) void ml.join(peers);
  } catch (e) {
    io.stderr(`ferrolb memberlist: ${(e as Error).message}\n`);
    return 1;
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      void ml
        .leave()
        .then(() => ml.shutdown())
        .then(() => resolve(0));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    if (keyFile) {
      process.on('SIGHUP', () => {
        readKeys(keyFile).then(
          (k) => ml.setKeyring(k),
          (e: Error) => io.stderr(`ferrolb memberlist: keyring not reloaded: ${e.message}\n`),
        );
      });
    }
  });
}
