// The HTTP/1.1 head parser: start lines and fields as RFC 9112 reads them, and a refusal with the line
// and the reason for what could frame a message two ways (obs-fold, a space before the colon, two
// Content-Lengths, control characters).
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../src/http/errors.ts';
import { headEnd, keepsAlive, parseRequestHead, parseResponseHead } from '../../../src/http/head.ts';

const buf = (s: string): Buffer => Buffer.from(s, 'latin1');
const response = (s: string) => {
  const b = buf(s);
  return parseResponseHead(b, headEnd(b));
};
const request = (s: string) => {
  const b = buf(s);
  return parseRequestHead(b, headEnd(b));
};
const refusal = (fn: () => unknown): HttpError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    return err as HttpError;
  }
  throw new Error('not refused');
};

describe('headEnd', () => {
  it('finds the empty line after CRLF or bare LF lines, and -1 until it has come', () => {
    const text = 'HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody';
    expect(headEnd(buf(text))).toBe(text.indexOf('body'));
    const lf = 'HTTP/1.1 200 OK\nA: b\n\nbody';
    expect(headEnd(buf(lf))).toBe(lf.indexOf('body'));
    for (let cut = 0; cut < text.indexOf('body'); cut++) expect(headEnd(buf(text.slice(0, cut)))).toBe(-1);
    // resumed from where the last scan stopped, the same answer
    expect(headEnd(buf(text), 20)).toBe(text.indexOf('body'));
  });
});

describe('parseResponseHead', () => {
  it('reads the status, reason, version and fields (names in lower case, repeats joined)', () => {
    const h = response('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nWarning: a\r\nwarning:  b \r\n\r\n');
    expect(h).toMatchObject({ version: '1.1', status: 404, reason: 'Not Found' });
    expect(h.headers.get('content-type')).toBe('text/plain');
    expect(h.headers.get('warning')).toBe('a, b');
    expect(response('HTTP/1.0 204\r\n\r\n')).toMatchObject({ version: '1.0', status: 204, reason: '' });
  });

  it('takes one Content-Length, even repeated with the same value', () => {
    expect(
      response('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n').headers.get('content-length'),
    ).toBe('5');
  });

  it.each([
    ['HTTP/2 200 OK\r\n\r\n', /not HTTP\/1\.0 or HTTP\/1\.1/],
    ['HTTP/1.1 20 OK\r\n\r\n', /status line/],
    ['garbage\r\n\r\n', /status line/],
    ['HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n', /line 3: obs-fold/],
    ['HTTP/1.1 200 OK\r\nA : b\r\n\r\n', /line 2: not a field name/],
    ['HTTP/1.1 200 OK\r\nno colon\r\n\r\n', /line 2: not a field name/],
    ['HTTP/1.1 200 OK\r\nA: b\x00c\r\n\r\n', /line 2: control characters in the value of A/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n', /is not one decimal length/],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /is not one decimal length/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n', /is not one decimal length/],
  ])('refuses %j', (text, why) => {
    const err = refusal(() => response(text));
    expect(err.code).toBe('bad-head');
    expect(err.message).toMatch(why);
  });
});

describe('parseRequestHead', () => {
  it('reads the method, target and version', () => {
    expect(request('GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n\r\n')).toMatchObject({
      method: 'GET',
      target: '/metrics?x=1',
      version: '1.1',
    });
  });

  it.each(['GET /a\r\n\r\n', 'GET  /a HTTP/1.1\r\n\r\n', 'G(T /a HTTP/1.1\r\n\r\n', 'GET /a HTTP/1.1 x\r\n\r\n'])(
    'refuses the request line %j',
    (text) => expect(refusal(() => request(text)).message).toMatch(/request line/),
  );
});

describe('keepsAlive', () => {
  it('HTTP/1.1 unless "close"; HTTP/1.0 only with "keep-alive"', () => {
    expect(keepsAlive(response('HTTP/1.1 200 OK\r\n\r\n'))).toBe(true);
    expect(keepsAlive(response('HTTP/1.1 200 OK\r\nConnection: Close\r\n\r\n'))).toBe(false);
    expect(keepsAlive(response('HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\n\r\n'))).toBe(false);
    expect(keepsAlive(response('HTTP/1.0 200 OK\r\n\r\n'))).toBe(false);
    expect(keepsAlive(response('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n'))).toBe(true);
  });
});
