// An HTTP/1.1 message head (RFC 9112 §2-5): the start line and the header fields up to the empty line.
// Strict where a lax reading would let two parties frame one message differently (request smuggling):
// no whitespace before a field's colon, no obs-fold, one Content-Length value, only known versions.
import { HttpError } from './errors.ts';

/** A head larger than this is refused (Go's net/http reads 1 MiB, Node 16 KiB; Kubernetes heads are small). */
export const MAX_HEAD_BYTES = 64 * 1024;

export interface Head {
  /** "1.0" or "1.1". */
  version: string;
  /** Field names in lower case; a repeated field's values joined with ", " (RFC 9110 §5.3). */
  headers: Map<string, string>;
}
export interface ResponseHead extends Head {
  status: number;
  reason: string;
}
export interface RequestHead extends Head {
  method: string;
  target: string;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The offset just past the empty line that ends a head starting at 0, or -1 while incomplete. A bare LF
 * ends a line too (RFC 9112 §2.2 lets a recipient accept it). `from` resumes a scan of a growing buffer.
 */
export function headEnd(buf: Buffer, from = 0): number {
  for (let i = Math.max(from, 1); i < buf.length; i++) {
    if (buf[i] !== LF) continue;
    if (buf[i - 1] === LF) return i + 1;
    if (buf[i - 1] === CR && i >= 2 && buf[i - 2] === LF) return i + 1;
  }
  return -1;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible ASCII, obs-text, space and tab; no control characters (a NUL or CR is an attack).
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function lines(buf: Buffer, end: number): string[] {
  const text = buf.toString('latin1', 0, end);
  const out = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  // the empty line that ends the head, and the one after the split's last LF
  out.length -= 2;
  return out;
}

function fields(ls: string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (let i = 1; i < ls.length; i++) {
    const l = ls[i]!;
    if (l.startsWith(' ') || l.startsWith('\t'))
      throw new HttpError('bad-head', `line ${i + 1}: obs-fold (a folded field line)`);
    const colon = l.indexOf(':');
    const name = colon < 0 ? '' : l.slice(0, colon);
    if (!TOKEN.test(name))
      throw new HttpError('bad-head', `line ${i + 1}: not a field name before ":": ${JSON.stringify(l.slice(0, 60))}`);
    const value = l.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (!FIELD_VALUE.test(value))
      throw new HttpError('bad-head', `line ${i + 1}: control characters in the value of ${name}`);
    const key = name.toLowerCase();
    const had = headers.get(key);
    headers.set(key, had === undefined ? value : `${had}, ${value}`);
  }
  const length = headers.get('content-length');
  if (length !== undefined) {
    const values = length.split(',').map((v) => v.trim());
    if (!values.every((v) => /^[0-9]{1,15}$/.test(v)) || new Set(values).size !== 1)
      throw new HttpError(
        'bad-head',
        `Content-Length ${JSON.stringify(length.slice(0, 60))} is not one decimal length`,
      );
    headers.set('content-length', values[0]!);
  }
  return headers;
}

function version(text: string, where: string): string {
  const m = /^HTTP\/1\.([01])$/.exec(text);
  if (!m) throw new HttpError('bad-head', `${where}: ${JSON.stringify(text.slice(0, 20))} is not HTTP/1.0 or HTTP/1.1`);
  return `1.${m[1]}`;
}

/** The response head in buf[0, end) (end from headEnd). */
export function parseResponseHead(buf: Buffer, end: number): ResponseHead {
  const ls = lines(buf, end);
  const m = /^(\S+) ([0-9]{3})(?: (.*))?$/.exec(ls[0] ?? '');
  if (!m) throw new HttpError('bad-head', `status line ${JSON.stringify((ls[0] ?? '').slice(0, 60))}`);
  return { version: version(m[1]!, 'status line'), status: Number(m[2]), reason: m[3] ?? '', headers: fields(ls) };
}

/** The request head in buf[0, end) (end from headEnd). */
export function parseRequestHead(buf: Buffer, end: number): RequestHead {
  const ls = lines(buf, end);
  const m = /^(\S+) (\S+) (\S+)$/.exec(ls[0] ?? '');
  if (!m || !TOKEN.test(m[1]!))
    throw new HttpError('bad-head', `request line ${JSON.stringify((ls[0] ?? '').slice(0, 60))}`);
  return { version: version(m[3]!, 'request line'), method: m[1]!, target: m[2]!, headers: fields(ls) };
}

/** Whether the connection stays open after this message (RFC 9112 §9.3). */
export function keepsAlive(head: Head): boolean {
  const conn = (head.headers.get('connection') ?? '')
    .toLowerCase()
    .split(',')
    .map((t) => t.trim());
  if (conn.includes('close')) return false;
  return head.version === '1.1' || conn.includes('keep-alive');
}
