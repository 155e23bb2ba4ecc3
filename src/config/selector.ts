// Kubernetes label selector matching (metav1.LabelSelector semantics): every matchLabels pair AND every
// matchExpressions requirement must hold. An empty selector matches everything.
import type { LabelSelector, LabelSelectorRequirement } from './model.ts';

export function matchesSelector(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  for (const req of selector.matchExpressions) {
    if (!matchesRequirement(req, labels)) return false;
  }
  return true;
}

export function matchesRequirement(req: LabelSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  switch (req.operator) {
    case 'In':
      return has && req.values.includes(labels[req.key] as string);
    case 'NotIn':
      // As in Kubernetes: a missing label satisfies NotIn.
      return !has || !req.values.includes(labels[req.key] as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}
