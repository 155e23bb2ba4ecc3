import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry } from '../../../src/metrics/index.ts';

const samples = async (r: Registry): Promise<string[]> =>
  (await r.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('Counter, Gauge, Histogram', () => {
  it('counters go up only; gauges set, inc and dec, with or without labels and through labels()', async () => {
    const r = new Registry();
    const c = new Counter({ name: 'c_total', help: 'c', registers: [r] });
    const g = new Gauge({ name: 'g', help: 'g', labelNames: ['k'], registers: [r] });
    c.inc();
    c.inc(4);
    c.inc(0);
    expect(() => c.inc(-1)).toThrow('metric c_total: a counter cannot decrease (inc by -1)');
    expect(() => c.inc(NaN)).toThrow(/metric c_total: an increment must be a number/);
    g.set({ k: 'a' }, 10);
    g.inc({ k: 'a' });
    g.dec({ k: 'a' }, 0.5);
    g.labels({ k: 'b' }).set(3);
    g.labels('b').dec();
    g.labels('c').inc(2);
    expect(await samples(r)).toEqual(['c_total 5', 'g{k="a"} 10.5', 'g{k="b"} 2', 'g{k="c"} 2']);
  });

  it('get() returns {values: [{labels, value}]} after running collect', async () => {
    const r = new Registry();
    const c = new Counter({ name: 'c_total', help: 'c', registers: [r] });
    c.inc(3);
    expect((await r.getSingleMetric('c_total')!.get()).values).toEqual([{ labels: {}, value: 3 }]);
    const g = new Gauge({ name: 'g', help: 'g', labelNames: ['k'], registers: [r] });
    g.set({ k: 'x' }, 1);
    expect(await g.get()).toEqual({ name: 'g', help: 'g', type: 'gauge', values: [{ labels: { k: 'x' }, value: 1 }] });
    const h = new Histogram({ name: 'h', help: 'h', buckets: [1], registers: [r] });
    h.observe(0.5);
    expect((await h.get()).values).toEqual([
      { labels: { le: '1' }, value: 1, metricName: 'h_bucket' },
      { labels: { le: '+Inf' }, value: 1, metricName: 'h_bucket' },
      { labels: {}, value: 0.5, metricName: 'h_sum' },
      { labels: {}, value: 1, metricName: 'h_count' },
    ]);
  });

  it('collect (sync or async) runs with this = the metric before every read', async () => {
    const r = new Registry();
    let n = 0;
    new Gauge({
      name: 'g_sync',
      help: 'g',
      labelNames: ['peer'],
      registers: [r],
      collect(this: Gauge<'peer'>) {
        this.reset();
        n++;
        for (let i = 0; i < n; i++) this.set({ peer: `p${i}` }, i);
      },
    });
    new Counter({
      name: 'c_async_total',
      help: 'c',
      registers: [r],
      async collect(this: Counter) {
        await new Promise((resolve) => setImmediate(resolve));
        this.inc(2);
      },
    });
    expect(await samples(r)).toEqual(['g_sync{peer="p0"} 0', 'c_async_total 2']);
    expect(await samples(r)).toEqual(['g_sync{peer="p0"} 0', 'g_sync{peer="p1"} 1', 'c_async_total 4']);
    expect(await r.getSingleMetricAsString('c_async_total')).toMatch(/\nc_async_total 6$/);
  });

  it('reset() forgets every series (unlabelled back to 0); remove() one, by object or by values', async () => {
    const r = new Registry();
    const c = new Counter({ name: 'c_total', help: 'c', registers: [r] });
    const g = new Gauge({ name: 'g', help: 'g', labelNames: ['a', 'b'], registers: [r] });
    const h = new Histogram({ name: 'h', help: 'h', labelNames: ['a'], buckets: [1], registers: [r] });
    c.inc(9);
    g.set({ a: '1', b: '2' }, 1);
    g.set({ a: '1', b: '3' }, 2);
    g.set({ a: '2', b: '2' }, 3);
    h.observe({ a: 'x' }, 2);
    h.observe({ a: 'y' }, 2);
    g.remove({ b: '3', a: '1' });
    g.remove('2', '2');
    h.remove('x');
    expect(await samples(r)).toEqual([
      'c_total 9',
      'g{a="1",b="2"} 1',
      'h_bucket{a="y",le="1"} 0',
      'h_bucket{a="y",le="+Inf"} 1',
      'h_sum{a="y"} 2',
      'h_count{a="y"} 1',
    ]);
    c.reset();
    g.reset();
    h.reset();
    expect(await samples(r)).toEqual(['c_total 0']);
  });

  it('a label not declared, a missing label, or the wrong number of values is an error naming metric and label', () => {
    const c = new Counter({ name: 'c_total', help: 'c', labelNames: ['peer', 'reason'] });
    expect(() => c.inc({ peer: 'a', reason: 'b', extra: 'c' } as never)).toThrow(
      'metric c_total: label "extra" is not declared (labels: peer, reason)',
    );
    expect(() => c.inc({ peer: 'a' })).toThrow('metric c_total: no value for label "reason" (labels: peer, reason)');
    expect(() => c.inc()).toThrow('metric c_total: no value for label "peer"');
    expect(() => c.labels('a')).toThrow('metric c_total: 1 label value(s) given for 2 label(s) (peer, reason)');
    expect(() => c.remove('a', 'b', 'c')).toThrow('metric c_total: 3 label value(s) given for 2 label(s)');
    const g = new Gauge({ name: 'g', help: 'g' });
    expect(() => g.set({ ip: '192.0.2.1' } as never, 1)).toThrow('metric g: label "ip" is not declared (labels: none)');
    expect(() => g.labels('x')).toThrow('metric g: 1 label value(s) given for 0 label(s) (none)');
    const h = new Histogram({ name: 'h', help: 'h', labelNames: ['op'] });
    expect(() => h.observe({ op: 'x' }, NaN)).toThrow(/metric h: an observation must be a number/);
    expect(() => h.observe({ op: true as never }, 1)).toThrow('metric h: label "op" must be a string or a number');
  });

  it('bad names, buckets and duplicate registrations are clear errors', () => {
    expect(() => new Counter({ name: 'bad-name', help: 'x' })).toThrow(/metric name "bad-name" is not a valid/);
    expect(() => new Counter({ name: 'c', help: '' })).toThrow('metric c: help text is required');
    expect(() => new Gauge({ name: 'g', help: 'x', labelNames: ['a-b'] })).toThrow(/metric g: label name "a-b"/);
    expect(() => new Gauge({ name: 'g', help: 'x', labelNames: ['__x'] })).toThrow(/metric g: label name "__x"/);
    expect(() => new Gauge({ name: 'g', help: 'x', labelNames: ['a', 'a'] })).toThrow(/declared twice/);
    expect(() => new Histogram({ name: 'h', help: 'x', labelNames: ['le'] })).toThrow(/"le" is reserved/);
    expect(() => new Histogram({ name: 'h', help: 'x', buckets: [1, 1] })).toThrow(/metric h: buckets must be/);
    expect(() => new Histogram({ name: 'h', help: 'x', buckets: [2, 1] })).toThrow(/metric h: buckets must be/);
    const r = new Registry();
    const g = new Gauge({ name: 'ferrolb_config_stale', help: 'x', registers: [r] });
    r.registerMetric(g); // the same metric again changes nothing
    expect(() => new Gauge({ name: 'ferrolb_config_stale', help: 'y', registers: [r] })).toThrow(
      'metric ferrolb_config_stale is already registered in this registry',
    );
    expect(r.getMetricsAsArray()).toEqual([g]);
    expect(r.getSingleMetric('nope')).toBeUndefined();
    return expect(r.getSingleMetricAsString('nope')).rejects.toThrow('no metric nope in this registry');
  });

  it('label sets that differ only in where the values split stay separate series', async () => {
    const r = new Registry();
    const g = new Gauge({ name: 'g', help: 'g', labelNames: ['a', 'b'], registers: [r] });
    g.set({ a: '1:x', b: '' }, 1);
    g.set({ a: '1', b: ':x' }, 2);
    g.set({ a: '', b: '1:x' }, 3);
    expect(await samples(r)).toEqual(['g{a="1:x",b=""} 1', 'g{a="1",b=":x"} 2', 'g{a="",b="1:x"} 3']);
  });

  it('one metric can be in several registries; metrics without registers are in none', async () => {
    const a = new Registry();
    const b = new Registry();
    new Gauge({ name: 'g', help: 'g', registers: [a, b] }).set(1);
    new Gauge({ name: 'lonely', help: 'g' }).set(2);
    expect(await samples(a)).toEqual(['g 1']);
    expect(await samples(b)).toEqual(['g 1']);
  });
});
