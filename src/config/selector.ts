// Kubernetes label selector matching (metav1.LabelSelector semantics). Pure; used by the config parser
// (ipAddressPoolSelectors), the allocator (serviceAllocation selectors) and the speaker (nodeSelectors).
import type { LabelSelector } from './model.ts';

/**
 * True when `labels` satisfy every matchLabels entry and every matchExpressions requirement.
 * An empty selector matches everything. `NotIn` and `DoesNotExist` match when the label is absent.
 */
export function matchesSelector(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  for (const req of selector.matchExpressions) {
    const has = Object.hasOwn(labels, req.key);
    const value = has ? labels[req.key]! : undefined;
    switch (req.operator) {
      case 'In':
        if (!has || !req.values.includes(value!)) return false;
        break;
      case 'NotIn':
        if (has && req.values.includes(value!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** True when any selector matches; an empty list matches everything (nodeSelectors semantics). */
export function matchesAnySelector(
  selectors: readonly LabelSelector[],
  labels: Readonly<Record<string, string>>,
): boolean {
  return selectors.length === 0 || selectors.some((s) => matchesSelector(s, labels));
}
