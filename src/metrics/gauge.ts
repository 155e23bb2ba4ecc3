// A gauge: a value that goes up and down, or is set.
import { Metric } from './metric.ts';
import type { LabelValues, MetricConfiguration, MetricValue } from './types.ts';

interface GaugeSeries {
  readonly labels: Readonly<Record<string, string>>;
  value: number;
}

/** A gauge's series bound to label values (`gauge.labels(...)`). */
export interface GaugeChild {
  inc(value?: number): void;
  dec(value?: number): void;
  set(value: number): void;
}

export type GaugeConfiguration<T extends string> = MetricConfiguration<T, Gauge<T>>;

export class Gauge<T extends string = string> extends Metric<T, GaugeSeries> {
  readonly type = 'gauge';

  constructor(config: GaugeConfiguration<T>) {
    super(config);
    this.reset();
  }

  /** Sets the series of `labels` (none for an unlabelled gauge) to `value` (any number, NaN and ±Inf too). */
  set(value: number): void;
  set(labels: LabelValues<T>, value: number): void;
  set(a: number | LabelValues<T>, b?: number): void {
    const [labels, value] = typeof a === 'object' ? [a, b] : [undefined, a];
    if (typeof value !== 'number') throw new TypeError(`metric ${this.name}: a gauge is set to a number, not ${value}`);
    this.seriesFor(labels).value = value;
  }

  /** Adds `value` (default 1). */
  inc(value?: number): void;
  inc(labels: LabelValues<T>, value?: number): void;
  inc(a?: number | LabelValues<T>, b?: number): void {
    const [labels, value] = typeof a === 'object' ? [a, b] : [undefined, a];
    this.seriesFor(labels).value += value === undefined ? 1 : this.check(value, 'an increment');
  }

  /** Subtracts `value` (default 1). */
  dec(value?: number): void;
  dec(labels: LabelValues<T>, value?: number): void;
  dec(a?: number | LabelValues<T>, b?: number): void {
    const [labels, value] = typeof a === 'object' ? [a, b] : [undefined, a];
    this.seriesFor(labels).value -= value === undefined ? 1 : this.check(value, 'a decrement');
  }

  labels(labels: LabelValues<T>): GaugeChild;
  labels(...values: (string | number)[]): GaugeChild;
  labels(...args: unknown[]): GaugeChild {
    const labels = this.labelsFromArgs(args);
    this.resolve(labels);
    return {
      inc: (value?: number) => this.inc(labels, value),
      dec: (value?: number) => this.dec(labels, value),
      set: (value: number) => this.set(labels, value),
    };
  }

  protected newSeries(labels: Record<string, string>): GaugeSeries {
    return { labels, value: 0 };
  }

  protected values(): MetricValue<string>[] {
    return [...this.series.values()].map((s) => ({ labels: { ...s.labels }, value: s.value }));
  }
}
