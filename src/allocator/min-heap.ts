// A binary min-heap of bigints: the released addresses below a pool's cursor (see free-addresses.ts).

export class BigIntMinHeap {
  private readonly items: bigint[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): bigint | undefined {
    return this.items[0];
  }

  push(value: bigint): void {
    const a = this.items;
    a.push(value);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent] as bigint;
      if (p <= value) break;
      a[i] = p;
      i = parent;
    }
    a[i] = value;
  }

  pop(): bigint | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    const n = a.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (a[r] as bigint) < (a[l] as bigint) ? r : l;
      if ((a[c] as bigint) >= last) break;
      a[i] = a[c] as bigint;
      i = c;
    }
    a[i] = last;
    return top;
  }
}
