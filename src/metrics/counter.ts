// A counter: a value that only goes up (reset() and a restart aside).
import { ScalarMetric } from './scalar-metric.ts';
import type { LabelValues, MetricConfiguration } from './types.ts';

/** A counter's series bound to label values (`counter.labels(...)`). */
export interface CounterChild {
  inc(value?: number): void;
}

export type CounterConfiguration<T extends string> = MetricConfiguration<T, Counter<T>>;

export class Counter<T extends string = string> extends ScalarMetric<T> {
  readonly type = 'counter';

  constructor(config: CounterConfiguration<T>) {
    super(config);
  }

  /** Adds `value` (default 1, never negative) to the series of `labels` (none for an unlabelled counter). */
  inc(value?: number): void;
  inc(labels: LabelValues<T>, value?: number): void;
  inc(a?: number | LabelValues<T>, b?: number): void {
    const [labels, value] = typeof a === 'object' ? [a, b] : [undefined, a];
    const n = value === undefined ? 1 : this.check(value, 'an increment');
    if (n < 0) throw new Error(`metric ${this.name}: a counter cannot decrease (inc by ${n})`);
    this.seriesFor(labels).value += n;
  }

  labels(labels: LabelValues<T>): CounterChild;
  labels(...values: (string | number)[]): CounterChild;
  labels(...args: unknown[]): CounterChild {
    const labels = this.labelsFromArgs(args);
    this.resolve(labels);
    return { inc: (value?: number) => this.inc(labels, value) };
  }
}
