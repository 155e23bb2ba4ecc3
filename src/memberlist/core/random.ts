// Helpers over an injected random source (pure code never calls Math.random).
export type Random = () => number;

export function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Up to `k` distinct random items of `items` for which `ok` holds (sampling first, a shuffle if that fails). */
export function pickRandom<T>(items: readonly T[], k: number, random: Random, ok: (t: T) => boolean = () => true): T[] {
  if (k <= 0 || items.length === 0) return [];
  const chosen = new Set<number>();
  for (let tries = 0; tries < 4 * k + 8 && chosen.size < k; tries++) {
    const i = Math.floor(random() * items.length);
    if (!chosen.has(i) && ok(items[i] as T)) chosen.add(i);
  }
  if (chosen.size < k) {
    for (const i of shuffle(
      items.map((_, i) => i),
      random,
    )) {
      if (chosen.size >= k) break;
      if (!chosen.has(i) && ok(items[i] as T)) chosen.add(i);
    }
  }
  return [...chosen].map((i) => items[i] as T);
}
