// What counters, gauges and histograms share: name and label validation, one series per label set (in
// the order first seen), label resolution with clear errors, `collect` before a read, reset and remove.
import type {
  CollectFunction,
  LabelValues,
  MetricConfiguration,
  MetricObject,
  MetricType,
  MetricValue,
} from './types.ts';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** One series: its label values (in declared order, as text). */
export interface Series {
  readonly labels: Readonly<Record<string, string>>;
}

export abstract class Metric<T extends string, S extends Series> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly T[];
  abstract readonly type: MetricType;
  /** Series by the key of their label values; insertion order is exposition order. */
  protected readonly series = new Map<string, S>();
  readonly #collect: CollectFunction<any> | undefined;

  /** `reserved`: a label name the type uses itself (a histogram's `le`). */
  constructor(config: MetricConfiguration<T, any>, reserved?: string) {
    const { name, help } = config;
    if (typeof name !== 'string' || !METRIC_NAME.test(name))
      throw new Error(`metric name ${JSON.stringify(name)} is not a valid Prometheus name ([a-zA-Z_:][a-zA-Z0-9_:]*)`);
    if (typeof help !== 'string' || help === '') throw new Error(`metric ${name}: help text is required`);
    const labelNames = [...(config.labelNames ?? [])];
    for (const l of labelNames) {
      if (typeof l !== 'string' || !LABEL_NAME.test(l) || l.startsWith('__'))
        throw new Error(`metric ${name}: label name ${JSON.stringify(l)} is not valid ([a-zA-Z_][a-zA-Z0-9_]*, no __)`);
      if (l === reserved) throw new Error(`metric ${name}: label name "${l}" is reserved for this metric type`);
    }
    if (new Set(labelNames).size !== labelNames.length)
      throw new Error(`metric ${name}: a label name is declared twice (${labelNames.join(', ')})`);
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
    this.#collect = config.collect;
    for (const r of config.registers ?? []) r.registerMetric(this);
  }

  /** A new, empty series for these label values. */
  protected abstract newSeries(labels: Record<string, string>): S;

  /** The samples of every series, in exposition order. */
  protected abstract values(): MetricValue<string>[];

  /** Runs `collect` (if any), then reads every series. */
  async get(): Promise<MetricObject<T>> {
    if (this.#collect) await this.#collect.call(this);
    return { name: this.name, help: this.help, type: this.type, values: this.values() as MetricValue<T>[] };
  }

  /** Forgets every series (an unlabelled metric goes back to zero). */
  reset(): void {
    this.series.clear();
    if (this.labelNames.length === 0) this.series.set('', this.newSeries({}));
  }

  /** Forgets one series, named by its label values (an object, or the values in declared order). */
  remove(...args: [LabelValues<T>] | (string | number)[]): void {
    const labels = this.labelsFromArgs(args);
    this.series.delete(this.resolve(labels).key);
  }

  /** The series for `labels` (created empty when new). */
  protected seriesFor(labels: LabelValues<T> | undefined): S {
    const { key, values } = this.resolve(labels);
    let s = this.series.get(key);
    if (!s) {
      const own: Record<string, string> = {};
      for (let i = 0; i < this.labelNames.length; i++) own[this.labelNames[i]!] = values[i]!;
      s = this.newSeries(own);
      this.series.set(key, s);
    }
    return s;
  }

  /** `labels(...)`'s and `remove(...)`'s arguments as a label object. */
  protected labelsFromArgs(args: readonly unknown[]): LabelValues<T> {
    if (args.length === 1 && typeof args[0] === 'object' && args[0] !== null) return args[0] as LabelValues<T>;
    const names = this.labelNames;
    if (args.length !== names.length)
      throw new Error(
        `metric ${this.name}: ${args.length} label value(s) given for ${names.length} label(s) (${names.join(', ') || 'none'})`,
      );
    const labels: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) labels[names[i]!] = args[i];
    return labels as LabelValues<T>;
  }

  /** Checks `labels` against the declared names: the series key and the values in declared order. */
  protected resolve(labels: LabelValues<T> | undefined): { key: string; values: string[] } {
    const names = this.labelNames as readonly string[];
    const given = (labels ?? {}) as Record<string, unknown>;
    for (const k in given)
      if (!names.includes(k))
        throw new Error(`metric ${this.name}: label "${k}" is not declared (labels: ${names.join(', ') || 'none'})`);
    if (names.length === 0) return { key: '', values: [] };
    const values: string[] = [];
    for (const n of names) {
      const v = given[n];
      if (typeof v === 'string') values.push(v);
      else if (typeof v === 'number') values.push(String(v));
      else if (v === undefined)
        throw new Error(`metric ${this.name}: no value for label "${n}" (labels: ${names.join(', ')})`);
      else throw new TypeError(`metric ${this.name}: label "${n}" must be a string or a number, not ${typeof v}`);
    }
    if (values.length === 1) return { key: values[0]!, values };
    // Length-prefixed, so no two different label sets share a key whatever characters the values hold.
    let key = '';
    for (const v of values) key += `${v.length}:${v}`;
    return { key, values };
  }

  /** Throws unless `value` is a number (and, for `what` = 'increment', not negative or NaN). */
  protected check(value: unknown, what: string): number {
    if (typeof value !== 'number' || Number.isNaN(value))
      throw new TypeError(`metric ${this.name}: ${what} must be a number, not ${String(value)}`);
    return value;
  }
}
