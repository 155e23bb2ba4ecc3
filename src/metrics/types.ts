// The shapes shared by the metric types and the registry (prom-client's, for the subset FerroLB uses).

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** Label values by label name (numbers are printed as text). */
export type LabelValues<T extends string> = Partial<Record<T, string | number>>;

/** One sample: its labels, its value and, for a histogram's `_bucket`/`_sum`/`_count`, its own name. */
export interface MetricValue<T extends string = string> {
  labels: LabelValues<T>;
  value: number;
  metricName?: string;
}

/** A metric read out (what `get()` returns), in exposition order. */
export interface MetricObject<T extends string = string> {
  name: string;
  help: string;
  type: MetricType;
  values: MetricValue<T>[];
}

/** Runs before a metric is read, with `this` the metric: sets values computed at scrape time. */
export type CollectFunction<M> = (this: M) => void | Promise<void>;

/** What every metric's constructor takes. */
export interface MetricConfiguration<T extends string, M> {
  name: string;
  help: string;
  labelNames?: readonly T[];
  /** Registries to register in (none by default: FerroLB keeps no global registry). */
  registers?: readonly RegistryLike[];
  collect?: CollectFunction<M>;
}

/** The part of Registry a metric uses (kept here so metric files do not import the registry). */
export interface RegistryLike {
  registerMetric(metric: MetricLike): void;
}

/** The part of a metric the registry uses. */
export interface MetricLike {
  readonly name: string;
  get(): Promise<MetricObject>;
}
