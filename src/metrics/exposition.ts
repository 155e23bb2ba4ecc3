// The Prometheus text exposition format 0.0.4: numbers, escaping, and one metric family as text.
// https://prometheus.io/docs/instrumenting/exposition_formats/ — `# HELP` escapes backslash and newline,
// label values also the double quote; values are Go floats (`+Inf`, `-Inf`, `NaN`).
import type { MetricObject } from './types.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A sample value as Prometheus parses it: integers without `.0`, `+Inf`, `-Inf`, `NaN`. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value); // JavaScript's shortest round-trip form (1e-7, 1e+21) is valid Go float syntax
}

/** `# HELP` text: backslash and newline escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A label value: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `{a="x",b="y"}` in the object's key order, or '' without labels. */
export function formatLabels(labels: Readonly<Record<string, string | number | undefined>>): string {
  let out = '';
  for (const name in labels) {
    const v = labels[name];
    if (v === undefined) continue;
    out += `${out ? ',' : '{'}${name}="${escapeLabelValue(String(v))}"`;
  }
  return out ? `${out}}` : '';
}

/** One metric family: HELP, TYPE, then a line per sample (no trailing newline). */
export function formatMetric(m: MetricObject): string {
  const lines = [`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} ${m.type}`];
  for (const v of m.values) lines.push(`${v.metricName ?? m.name}${formatLabels(v.labels)} ${formatValue(v.value)}`);
  return lines.join('\n');
}
