// A histogram: observations counted in cumulative buckets (`_bucket{le}` up to `+Inf`), with `_sum` and
// `_count`.
import { formatValue } from './exposition.ts';
import { Metric } from './metric.ts';
import type { LabelValues, MetricConfiguration, MetricValue } from './types.ts';

/** prom-client's and the Go client's default buckets (seconds: 5 ms to 10 s). */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface HistogramSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** Observations per bucket (not cumulative), the last one the +Inf bucket. */
  readonly counts: number[];
  sum: number;
  count: number;
}

/** A histogram's series bound to label values (`histogram.labels(...)`). */
export interface HistogramChild {
  observe(value: number): void;
}

export interface HistogramConfiguration<T extends string> extends MetricConfiguration<T, Histogram<T>> {
  /** Upper bounds, strictly increasing (+Inf is added). Default DEFAULT_BUCKETS. */
  buckets?: readonly number[];
}

export class Histogram<T extends string = string> extends Metric<T, HistogramSeries> {
  readonly type = 'histogram';
  readonly upperBounds: readonly number[];
  readonly #le: readonly string[];

  constructor(config: HistogramConfiguration<T>) {
    super(config, 'le');
    const bounds = (config.buckets ?? DEFAULT_BUCKETS).filter((b) => b !== Infinity);
    for (let i = 0; i < bounds.length; i++) {
      const b = bounds[i];
      if (typeof b !== 'number' || Number.isNaN(b) || (i > 0 && b <= bounds[i - 1]!))
        throw new Error(`metric ${this.name}: buckets must be strictly increasing numbers (got ${bounds.join(', ')})`);
    }
    this.upperBounds = bounds;
    this.#le = [...bounds.map(formatValue), '+Inf'];
    this.reset();
  }

  /** Counts `value` in the series of `labels` (none for an unlabelled histogram). */
  observe(value: number): void;
  observe(labels: LabelValues<T>, value: number): void;
  observe(a: number | LabelValues<T>, b?: number): void {
    const [labels, value] = typeof a === 'object' ? [a, b] : [undefined, a];
    const v = this.check(value, 'an observation');
    const s = this.seriesFor(labels);
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && v > bounds[i]!) i++;
    s.counts[i]!++;
    s.sum += v;
    s.count++;
  }

  labels(labels: LabelValues<T>): HistogramChild;
  labels(...values: (string | number)[]): HistogramChild;
  labels(...args: unknown[]): HistogramChild {
    const labels = this.labelsFromArgs(args);
    this.resolve(labels);
    return { observe: (value: number) => this.observe(labels, value) };
  }

  protected newSeries(labels: Record<string, string>): HistogramSeries {
    return { labels, counts: new Array<number>(this.upperBounds.length + 1).fill(0), sum: 0, count: 0 };
  }

  protected values(): MetricValue<string>[] {
    const out: MetricValue<string>[] = [];
    for (const s of this.series.values()) {
      let acc = 0;
      for (let i = 0; i < s.counts.length; i++) {
        acc += s.counts[i]!;
        out.push({ labels: { ...s.labels, le: this.#le[i]! }, value: acc, metricName: `${this.name}_bucket` });
      }
      out.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      out.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return out;
  }
}
