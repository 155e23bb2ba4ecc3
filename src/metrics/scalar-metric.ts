// What a counter and a gauge share: one number per series, starting at zero.
import { Metric, type Series } from './metric.ts';
import type { MetricConfiguration, MetricValue } from './types.ts';

export interface ScalarSeries extends Series {
  value: number;
}

export abstract class ScalarMetric<T extends string> extends Metric<T, ScalarSeries> {
  constructor(config: MetricConfiguration<T, any>) {
    super(config);
    this.reset();
  }

  protected newSeries(labels: Record<string, string>): ScalarSeries {
    return { labels, value: 0 };
  }

  protected values(): MetricValue<string>[] {
    return [...this.series.values()].map((s) => ({ labels: { ...s.labels }, value: s.value }));
  }
}
