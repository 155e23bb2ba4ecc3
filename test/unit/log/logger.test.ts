// The logger's lines: pino's shape field for field, levels and filtering, child bindings, the call
// shapes the tree uses, and that a disabled level builds nothing.
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createLogger, LEVELS, type LogDestination } from '../../../src/log/index.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const T0 = 1_767_225_600_000; // FakeClock's wall time at 0

function sink(): LogDestination & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (line: string) => void lines.push(line) };
}

describe('createLogger', () => {
  it('writes one JSON object per line in pino’s field order: level, time, base, bindings, object, msg', () => {
    const out = sink();
    const clock = new FakeClock();
    const log = createLogger({ level: 'info', base: { component: 'speaker', node: 'n1' }, clock }, out);
    log.info({ service: 'default/web', ip: '192.0.2.10' }, 'announcing');
    clock.advance(1500);
    log.child({ module: 'bgp' }).warn({ peer: '198.51.100.1' }, 'session down');
    log.error('plain message');
    expect(out.lines).toEqual([
      `{"level":30,"time":${T0},"component":"speaker","node":"n1","service":"default/web","ip":"192.0.2.10","msg":"announcing"}\n`,
      `{"level":40,"time":${T0 + 1500},"component":"speaker","node":"n1","module":"bgp","peer":"198.51.100.1","msg":"session down"}\n`,
      `{"level":50,"time":${T0 + 1500},"component":"speaker","node":"n1","msg":"plain message"}\n`,
    ]);
  });

  it('writes pid and hostname by default (as pino), none with base: null', () => {
    const out = sink();
    createLogger({ clock: new FakeClock() }, out).info({ a: 1 }, 'x');
    createLogger({ base: null, clock: new FakeClock() }, out).info('y');
    expect(out.lines).toEqual([
      `{"level":30,"time":${T0},"pid":${process.pid},"hostname":${JSON.stringify(hostname())},"a":1,"msg":"x"}\n`,
      `{"level":30,"time":${T0},"msg":"y"}\n`,
    ]);
  });

  it('takes the time from the injected clock, and the system clock by default', () => {
    const out = sink();
    const before = Date.now();
    createLogger({ base: null }, out).info('now');
    const { time } = JSON.parse(out.lines[0]!) as { time: number };
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
  });

  it('has pino’s level numbers and writes only levels at or above its threshold', () => {
    expect(LEVELS).toEqual({ trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 });
    const out = sink();
    const log = createLogger({ level: 'warn', base: null, clock: new FakeClock() }, out);
    for (const name of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) log[name]({ name }, name);
    expect(out.lines.map((l) => JSON.parse(l) as { level: number; msg: string })).toEqual([
      { level: 40, time: T0, name: 'warn', msg: 'warn' },
      { level: 50, time: T0, name: 'error', msg: 'error' },
      { level: 60, time: T0, name: 'fatal', msg: 'fatal' },
    ]);
  });

  it('defaults to info; level can be read and set; isLevelEnabled follows it; unknown levels are refused', () => {
    const out = sink();
    const log = createLogger({ base: null, clock: new FakeClock() }, out);
    expect(log.level).toBe('info');
    expect(log.isLevelEnabled('info')).toBe(true);
    expect(log.isLevelEnabled('debug')).toBe(false);
    log.debug('hidden');
    log.level = 'debug';
    expect(log.level).toBe('debug');
    expect(log.isLevelEnabled('debug')).toBe(true);
    expect(log.isLevelEnabled('trace')).toBe(false);
    expect(log.isLevelEnabled('nonsense')).toBe(false);
    log.debug('shown');
    log.level = 'silent';
    expect(log.isLevelEnabled('fatal')).toBe(false);
    log.fatal('not written');
    expect(out.lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['shown']);
    expect(() => (log.level = 'verbose')).toThrow(/unknown log level "verbose"/);
    expect(() => createLogger({ level: 'loud' }, out)).toThrow(/unknown log level "loud"/);
    expect(log.level).toBe('silent');
  });

  it('children add their bindings after the parent’s, start at its level and keep their own', () => {
    const out = sink();
    const root = createLogger({ level: 'info', base: { component: 'controller' }, clock: new FakeClock() }, out);
    const child = root.child({ module: 'ipvs' });
    const grandchild = child.child({ service: 'default/web' });
    grandchild.info({ ip: '203.0.113.5' }, 'synced');
    child.level = 'error';
    child.warn('dropped by the child’s level');
    root.warn('the root keeps warn');
    grandchild.warn('the grandchild kept info');
    expect(out.lines.map((l) => JSON.parse(l) as object)).toEqual([
      {
        level: 30,
        time: T0,
        component: 'controller',
        module: 'ipvs',
        service: 'default/web',
        ip: '203.0.113.5',
        msg: 'synced',
      },
      { level: 40, time: T0, component: 'controller', msg: 'the root keeps warn' },
      {
        level: 40,
        time: T0,
        component: 'controller',
        module: 'ipvs',
        service: 'default/web',
        msg: 'the grandchild kept info',
      },
    ]);
    expect(root.level).toBe('info');
  });

  it('accepts (obj, msg), (obj), (msg) and (err, msg?) as pino does', () => {
    const out = sink();
    const log = createLogger({ base: null, clock: new FakeClock() }, out);
    log.info({ a: 1 });
    log.info('only a message');
    const err = new Error('disk full');
    log.error(err);
    log.error(err, 'write failed');
    log.info({ a: 1, msg: 'from the object' });
    const parsed = out.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toEqual({ level: 30, time: T0, a: 1 });
    expect(parsed[1]).toEqual({ level: 30, time: T0, msg: 'only a message' });
    expect(parsed[2]).toMatchObject({ level: 50, err: { type: 'Error', message: 'disk full' }, msg: 'disk full' });
    expect(parsed[3]).toMatchObject({ level: 50, err: { type: 'Error', message: 'disk full' }, msg: 'write failed' });
    expect(parsed[4]).toEqual({ level: 30, time: T0, a: 1, msg: 'from the object' });
  });

  it('leaves out fields JSON cannot hold and never throws on what it is given', () => {
    const out = sink();
    const log = createLogger({ base: null, clock: new FakeClock() }, out);
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    log.info({ u: undefined, f: () => 1, s: Symbol('x'), n: null, big: 2n ** 70n, loop }, 'odd values');
    log.info(
      {
        bad: {
          toJSON: () => {
            throw new Error('no JSON for you');
          },
        },
        ok: true,
      },
      'throwing toJSON',
    );
    const hostile = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get: () => {
        throw new Error('getter');
      },
    });
    log.info(hostile, 'throwing getter');
    log.info(Object.create(null), 'null prototype');
    const parsed = out.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toEqual({
      level: 30,
      time: T0,
      n: null,
      big: '1180591620717411303424',
      loop: { name: 'loop', self: '[Circular]' },
      msg: 'odd values',
    });
    expect(parsed[1]).toEqual({
      level: 30,
      time: T0,
      bad: '[toJSON threw: Error: no JSON for you]',
      ok: true,
      msg: 'throwing toJSON',
    });
    expect(parsed[2]).toEqual({ level: 30, time: T0, boom: '[unserializable: getter]', msg: 'throwing getter' });
    expect(parsed[3]).toEqual({ level: 30, time: T0, msg: 'null prototype' });
  });

  it('a disabled level (and silent) costs no write, no clock read and no read of the object', () => {
    let writes = 0;
    let reads = 0;
    let clockReads = 0;
    const clock = new FakeClock();
    const counting = {
      now: () => clock.now(),
      setTimer: clock.setTimer.bind(clock),
      wallNow: () => (clockReads++, clock.wallNow()),
    };
    const out: LogDestination = { write: () => void writes++ };
    const watched = Object.defineProperty({}, 'field', { enumerable: true, get: () => (reads++, 1) });
    const silent = createLogger({ level: 'silent', clock: counting }, out);
    const child = silent.child({ module: 'x' });
    for (const log of [silent, child]) {
      for (const name of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) {
        log[name](watched, 'never');
        log[name]('never');
        log[name](new Error('never'));
      }
    }
    const warnOnly = createLogger({ level: 'warn', clock: counting }, out);
    warnOnly.debug(watched, 'never');
    warnOnly.info(watched, 'never');
    expect({ writes, reads, clockReads }).toEqual({ writes: 0, reads: 0, clockReads: 0 });
    warnOnly.warn(watched, 'once');
    expect({ writes, reads, clockReads }).toEqual({ writes: 1, reads: 1, clockReads: 1 });
  });
});
