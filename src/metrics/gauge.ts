// A gauge: a value that goes up and down, or is set.
import { ScalarMetric } from './scalar-metric.ts';
import type { LabelValues, MetricConfiguration } from './types.ts';

/** A gauge's series bound to label values (`gauge.labels(...)`). */
export interface GaugeChild {
  inc(value?: number): void;
  dec(value?: number): void;
  set(value: number): void;
}

export type GaugeConfiguration<T extends string> = MetricConfiguration<T, Gauge<T>>;

export class Gauge<T extends string = string> extends ScalarMetric<T> {
  readonly type = 'gauge';

  constructor(config: GaugeConfiguration<T>) {
    super(config);
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
}
