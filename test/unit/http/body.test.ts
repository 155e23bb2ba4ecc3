// The body reader: a length, chunks (with extensions and trailers) and until-close, fed whole and cut at
// every byte, so where TCP splits a message never changes what is read; and the refusals.
import { describe, expect, it } from 'vitest';
import { BodyReader, requestFraming, responseFraming, type Framing } from '../../../src/http/body.ts';
import { HttpError } from '../../../src/http/errors.ts';
import { headEnd, parseRequestHead, parseResponseHead } from '../../../src/http/head.ts';

const buf = (s: string): Buffer => Buffer.from(s, 'latin1');
const head = (s: string) => parseResponseHead(buf(s), headEnd(buf(s)));

/** Feeds `wire` in pieces cut at `cuts`; returns the body read, whether it ended and what followed it. */
function read(framing: Framing, wire: string, cuts: number[] = []): { body: string; done: boolean; rest: string } {
  const r = new BodyReader(framing);
  let body = '';
  let rest = '';
  let from = 0;
  for (const to of [...cuts, wire.length]) {
    const p = r.push(buf(wire.slice(from, to)));
    body += p.data.map((d) => d.toString('latin1')).join('');
    rest += p.rest.toString('latin1');
    from = to;
  }
  return { body, done: r.done, rest };
}

const CHUNKED = '5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT';

describe('framing', () => {
  it('follows RFC 9112 §6.3 for responses', () => {
    expect(responseFraming(head('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n'), false)).toEqual({
      kind: 'length',
      length: 3,
    });
    expect(responseFraming(head('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n'), true)).toEqual({ kind: 'none' });
    expect(responseFraming(head('HTTP/1.1 204 No Content\r\n\r\n'), false)).toEqual({ kind: 'none' });
    expect(responseFraming(head('HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n'), false)).toEqual({
      kind: 'none',
    });
    expect(responseFraming(head('HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n'), false)).toEqual({
      kind: 'chunked',
    });
    expect(responseFraming(head('HTTP/1.1 200 OK\r\n\r\n'), false)).toEqual({ kind: 'close' });
    expect(responseFraming(head('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), false)).toEqual({ kind: 'none' });
  });

  it('a request without a length has no body', () => {
    const b = buf('GET / HTTP/1.1\r\n\r\n');
    expect(requestFraming(parseRequestHead(b, headEnd(b)))).toEqual({ kind: 'none' });
  });

  it('refuses codings other than chunked, and Transfer-Encoding with Content-Length', () => {
    expect(() => responseFraming(head('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'), false)).toThrow(
      /only chunked is read/,
    );
    const both = head('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n');
    expect(() => responseFraming(both, false)).toThrow(/both Transfer-Encoding and Content-Length/);
  });
});

describe('BodyReader', () => {
  it('reads chunks with extensions and trailers, cut at every byte, and leaves what follows', () => {
    for (let cut = 0; cut <= CHUNKED.length; cut++) {
      expect(read({ kind: 'chunked' }, CHUNKED, [cut])).toEqual({ body: 'hello, world', done: true, rest: 'NEXT' });
    }
    // every byte its own push
    const each = [...CHUNKED].map((_, i) => i + 1);
    expect(read({ kind: 'chunked' }, CHUNKED, each)).toEqual({ body: 'hello, world', done: true, rest: 'NEXT' });
  });

  it('reads a length, cut anywhere, and leaves what follows', () => {
    for (let cut = 0; cut <= 9; cut++)
      expect(read({ kind: 'length', length: 5 }, 'helloNEXT', [cut])).toEqual({
        body: 'hello',
        done: true,
        rest: 'NEXT',
      });
  });

  it('until close: everything, ended only by end()', () => {
    const r = new BodyReader({ kind: 'close' });
    expect(r.push(buf('abc')).done).toBe(false);
    r.end();
    expect(r.done).toBe(true);
  });

  it('a connection closed before a length or the last chunk is an incomplete body', () => {
    const r = new BodyReader({ kind: 'length', length: 5 });
    r.push(buf('he'));
    expect(() => r.end()).toThrow(/3 bytes before the body's end/);
    const c = new BodyReader({ kind: 'chunked' });
    c.push(buf('5\r\nhel'));
    expect(() => c.end()).toThrow(/chunks before the body's end/);
  });

  it.each([
    ['zz\r\n', /chunk size line "zz"/],
    ['3\r\nhello\r\n', /chunk data longer than its size/],
    ['1234567890abc\r\n', /chunk size line/],
    [`${'1'.repeat(5000)}`, /over 4096 bytes/],
  ])('refuses %j', (wire, why) => {
    const r = new BodyReader({ kind: 'chunked' });
    let err: unknown;
    try {
      r.push(buf(wire));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).message).toMatch(why);
  });
});
