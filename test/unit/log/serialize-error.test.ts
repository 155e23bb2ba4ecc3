// Errors as pino's standard serializer wrote them: type, message and stack with their causes, own
// properties, aggregate errors; circular references and non-error causes do not crash or get lost.
import { describe, expect, it } from 'vitest';
import { createLogger, serializeError } from '../../../src/log/index.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

class ConfigError extends Error {
  readonly where: string;
  constructor(message: string, where: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
    this.where = where;
  }
}

describe('serializeError', () => {
  it('writes type, message, stack and own enumerable properties', () => {
    const err = Object.assign(new ConfigError('bad pool', 'spec.addresses[0]'), { code: 'EPOOL', retry: false });
    expect(serializeError(err)).toEqual({
      type: 'ConfigError',
      message: 'bad pool',
      stack: err.stack,
      name: 'ConfigError', // assigned in the constructor: an own enumerable property, as pino writes it
      where: 'spec.addresses[0]',
      code: 'EPOOL',
      retry: false,
    });
  });

  it('appends each cause to message and stack as pino does', () => {
    const root = new TypeError('socket closed');
    const mid = new Error('read failed', { cause: root });
    const top = new Error('sync failed', { cause: mid });
    const s = serializeError(top);
    expect(s.type).toBe('Error');
    expect(s.message).toBe('sync failed: read failed: socket closed');
    expect(s.stack).toBe(`${top.stack}\ncaused by: ${mid.stack}\ncaused by: ${root.stack}`);
    expect(s).not.toHaveProperty('cause');
  });

  it('keeps a cause that is not an error, and stops a circular cause chain', () => {
    expect(serializeError(new Error('refused', { cause: { status: 403 } })).cause).toEqual({ status: 403 });
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const s = serializeError(a);
    expect(s.message).toBe('a: b: ...');
    expect(s.stack.split('\ncaused by: ')).toHaveLength(3);
  });

  it('serializes nested errors and marks one that refers back to itself', () => {
    const inner = Object.assign(new RangeError('out of range'), { value: 70000 });
    const err = Object.assign(new Error('outer'), { inner }) as Error & { self?: unknown };
    err.self = err;
    const s = serializeError(err);
    expect(s.inner).toMatchObject({ type: 'RangeError', message: 'out of range', value: 70000 });
    expect(s.self).toBe('[Circular]');
  });

  it('lists the errors of an AggregateError', () => {
    const s = serializeError(new AggregateError([new Error('one'), new Error('two')], 'both failed'));
    expect(s.type).toBe('AggregateError');
    expect(s.aggregateErrors?.map((e) => e.message)).toEqual(['one', 'two']);
  });

  it('is used for an error first, under err and under error; other values there pass unchanged', () => {
    const lines: string[] = [];
    const log = createLogger({ base: null, clock: new FakeClock() }, { write: (l) => void lines.push(l) });
    const err = Object.assign(new Error('boom', { cause: new Error('root') }), { code: 'E1' });
    log.error(err, 'first');
    log.error({ err, ip: '192.0.2.1' }, 'under err');
    log.error({ error: err }, 'under error');
    log.error({ err: 'a string', error: { code: 'E2' } }, 'not errors');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const expected = { type: 'Error', message: 'boom: root', stack: serializeError(err).stack, code: 'E1' };
    expect(parsed[0]!.err).toEqual(expected);
    expect(parsed[1]).toMatchObject({ err: expected, ip: '192.0.2.1', msg: 'under err' });
    expect(parsed[2]!.error).toEqual(expected);
    expect(parsed[3]).toMatchObject({ err: 'a string', error: { code: 'E2' } });
  });

  it('an error whose own properties are circular still logs one line', () => {
    const lines: string[] = [];
    const log = createLogger({ base: null, clock: new FakeClock() }, { write: (l) => void lines.push(l) });
    const ctx: Record<string, unknown> = { peer: '198.51.100.7' };
    ctx.again = ctx;
    log.warn(Object.assign(new Error('loop'), { ctx }));
    expect(lines).toHaveLength(1);
    expect((JSON.parse(lines[0]!) as { err: { ctx: unknown } }).err.ctx).toEqual({
      peer: '198.51.100.7',
      again: '[Circular]',
    });
  });
});
