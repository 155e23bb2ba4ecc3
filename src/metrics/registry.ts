// A registry: the metrics one /metrics endpoint serves, in registration order. No global registry: each
// controller/speaker (and each test) has its own.
import { PROMETHEUS_CONTENT_TYPE, formatMetric } from './exposition.ts';
import type { MetricLike, RegistryLike } from './types.ts';

export class Registry implements RegistryLike {
  static readonly PROMETHEUS_CONTENT_TYPE = PROMETHEUS_CONTENT_TYPE;
  readonly #metrics = new Map<string, MetricLike>();

  /** The Content-Type of what metrics() returns. */
  get contentType(): string {
    return PROMETHEUS_CONTENT_TYPE;
  }

  /** Adds `metric` (the metric constructors do it for their `registers`). A second metric of the same name is an error. */
  registerMetric(metric: MetricLike): void {
    const known = this.#metrics.get(metric.name);
    if (known === metric) return;
    if (known) throw new Error(`metric ${metric.name} is already registered in this registry`);
    this.#metrics.set(metric.name, metric);
  }

  getSingleMetric(name: string): MetricLike | undefined {
    return this.#metrics.get(name);
  }

  getMetricsAsArray(): MetricLike[] {
    return [...this.#metrics.values()];
  }

  /** One metric in the text format (no trailing newline). */
  async getSingleMetricAsString(name: string): Promise<string> {
    const m = this.#metrics.get(name);
    if (!m) throw new Error(`no metric ${name} in this registry`);
    return formatMetric(await m.get());
  }

  /** Every metric in the text format, collected one after the other in registration order. */
  async metrics(): Promise<string> {
    let out = '';
    for (const m of this.#metrics.values()) out += `${formatMetric(await m.get())}\n`;
    return out;
  }
}
