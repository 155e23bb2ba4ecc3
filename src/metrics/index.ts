export type {
  CollectFunction,
  LabelValues,
  MetricConfiguration,
  MetricObject,
  MetricType,
  MetricValue,
} from './types.ts';
export { PROMETHEUS_CONTENT_TYPE, escapeHelp, escapeLabelValue, formatValue } from './exposition.ts';
export { Registry } from './registry.ts';
export { Counter, type CounterChild, type CounterConfiguration } from './counter.ts';
export { Gauge, type GaugeChild, type GaugeConfiguration } from './gauge.ts';
export { DEFAULT_BUCKETS, Histogram, type HistogramChild, type HistogramConfiguration } from './histogram.ts';
export { registerProcessMetrics } from './process-metrics.ts';
