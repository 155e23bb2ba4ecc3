import { describe, expect, it } from 'vitest';
import {
  Counter,
  Gauge,
  Histogram,
  PROMETHEUS_CONTENT_TYPE,
  Registry,
  escapeHelp,
  escapeLabelValue,
  formatValue,
} from '../../../src/metrics/index.ts';

describe('exposition format 0.0.4', () => {
  it('formats numbers as Prometheus parses them', () => {
    expect([1, 0, -0, 2.5, -3, 1e-7, 1e21, 123456789012].map(formatValue)).toEqual([
      '1',
      '0',
      '0',
      '2.5',
      '-3',
      '1e-7',
      '1e+21',
      '123456789012',
    ]);
    expect([Infinity, -Infinity, NaN].map(formatValue)).toEqual(['+Inf', '-Inf', 'NaN']);
  });

  it('escapes backslash and newline in help, and also the double quote in label values', () => {
    expect(escapeHelp('a\\b\nc"d')).toBe('a\\\\b\\nc"d');
    expect(escapeLabelValue('a\\b\nc"d')).toBe('a\\\\b\\nc\\"d');
  });

  it('prints HELP, TYPE and samples in registration order, labels in declared order', async () => {
    const r = new Registry();
    const registers = [r];
    const c = new Counter({
      name: 'x_requests_total',
      help: 'Requests\nby "path" \\ method',
      labelNames: ['method', 'path'],
      registers,
    });
    new Counter({ name: 'x_idle_total', help: 'Never counted', registers });
    const g = new Gauge({ name: 'x_temperature', help: 'Degrees', registers });
    c.inc({ path: '/a"b\\c\nd', method: 'GET' });
    c.inc({ method: 'PUT', path: '/' }, 2.5);
    c.labels('GET', '/a"b\\c\nd').inc(2);
    g.set(-Infinity);
    expect(await r.metrics()).toBe(
      [
        '# HELP x_requests_total Requests\\nby "path" \\\\ method',
        '# TYPE x_requests_total counter',
        'x_requests_total{method="GET",path="/a\\"b\\\\c\\nd"} 3',
        'x_requests_total{method="PUT",path="/"} 2.5',
        '# HELP x_idle_total Never counted',
        '# TYPE x_idle_total counter',
        'x_idle_total 0',
        '# HELP x_temperature Degrees',
        '# TYPE x_temperature gauge',
        'x_temperature -Inf',
        '',
      ].join('\n'),
    );
    expect(r.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(PROMETHEUS_CONTENT_TYPE).toBe(r.contentType);
    expect(Registry.PROMETHEUS_CONTENT_TYPE).toBe(r.contentType);
  });

  it('a labelled metric with no series prints only HELP and TYPE; numbers as label values print as text', async () => {
    const r = new Registry();
    const g = new Gauge({ name: 'x_g', help: 'h', labelNames: ['n'], registers: [r] });
    expect(await r.getSingleMetricAsString('x_g')).toBe('# HELP x_g h\n# TYPE x_g gauge');
    g.set({ n: 7 }, NaN);
    expect(await r.getSingleMetricAsString('x_g')).toBe('# HELP x_g h\n# TYPE x_g gauge\nx_g{n="7"} NaN');
  });

  it('histograms: cumulative buckets up to +Inf, le last, then _sum and _count, per series', async () => {
    const r = new Registry();
    const h = new Histogram({
      name: 'x_seconds',
      help: 'Time',
      labelNames: ['op'],
      buckets: [0.1, 1, 5],
      registers: [r],
    });
    h.observe({ op: 'get' }, 0.1); // on a bound: counted in that bucket (le is "less or equal")
    h.observe({ op: 'get' }, 3);
    h.observe({ op: 'get' }, 7);
    h.labels('put').observe(0.05);
    expect(await r.getSingleMetricAsString('x_seconds')).toBe(
      [
        '# HELP x_seconds Time',
        '# TYPE x_seconds histogram',
        'x_seconds_bucket{op="get",le="0.1"} 1',
        'x_seconds_bucket{op="get",le="1"} 1',
        'x_seconds_bucket{op="get",le="5"} 2',
        'x_seconds_bucket{op="get",le="+Inf"} 3',
        'x_seconds_sum{op="get"} 10.1',
        'x_seconds_count{op="get"} 3',
        'x_seconds_bucket{op="put",le="0.1"} 1',
        'x_seconds_bucket{op="put",le="1"} 1',
        'x_seconds_bucket{op="put",le="5"} 1',
        'x_seconds_bucket{op="put",le="+Inf"} 1',
        'x_seconds_sum{op="put"} 0.05',
        'x_seconds_count{op="put"} 1',
      ].join('\n'),
    );
  });

  it('an unlabelled histogram prints its zero buckets before any observation, with the default buckets', async () => {
    const r = new Registry();
    new Histogram({ name: 'x_h', help: 'h', registers: [r] });
    const text = await r.getSingleMetricAsString('x_h');
    expect(text.split('\n').filter((l) => l.startsWith('x_h_bucket'))).toEqual(
      ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'].map(
        (le) => `x_h_bucket{le="${le}"} 0`,
      ),
    );
    expect(text).toMatch(/\nx_h_sum 0\nx_h_count 0$/);
  });

  it('an empty registry is empty text', async () => {
    expect(await new Registry().metrics()).toBe('');
  });
});
