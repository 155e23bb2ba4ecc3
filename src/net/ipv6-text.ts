// IPv6 text as groups: reading the 8 groups of a plain address (no embedded IPv4, no zone: ip.ts handles
// the dotted-quad tail) and writing RFC 5952's canonical form (lower case, no leading zeros, the longest
// run of two or more zero groups as "::", the first on a tie; property-tested against WHATWG URL's
// serializer). Allocation-light: the IPVS plan and its netlink codec meet thousands of addresses per sync
// in a cold process, and the allocator formats every address it hands out.

function hexGroup(g: string): number {
  if (g.length === 0 || g.length > 4) return -1;
  let v = 0;
  for (let k = 0; k < g.length; k++) {
    const c = g.charCodeAt(k);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** The 8 groups of a plain IPv6 address text, or undefined (not one, or a form this does not read). */
export function ipv6Groups(text: string): number[] | undefined {
  const dbl = text.indexOf('::');
  if (dbl >= 0 && text.indexOf('::', dbl + 1) >= 0) return undefined;
  const head = dbl < 0 ? text : text.slice(0, dbl);
  const tail = dbl < 0 ? '' : text.slice(dbl + 2);
  const hg = head === '' ? [] : head.split(':');
  const tg = tail === '' ? [] : tail.split(':');
  if (dbl < 0 ? hg.length !== 8 : hg.length + tg.length > 7) return undefined;
  const out = new Array<number>(8).fill(0);
  for (let k = 0; k < hg.length; k++) {
    const v = hexGroup(hg[k]!);
    if (v < 0) return undefined;
    out[k] = v;
  }
  for (let k = 0; k < tg.length; k++) {
    const v = hexGroup(tg[k]!);
    if (v < 0) return undefined;
    out[8 - tg.length + k] = v;
  }
  return out;
}

/** RFC 5952 text of 8 groups. */
export function formatIpv6Groups(g: readonly number[]): string {
  let best = -1;
  let bestLen = 1; // a single zero group is not compressed
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hexes = g.map((v) => v.toString(16));
  if (best < 0) return hexes.join(':');
  return `${hexes.slice(0, best).join(':')}::${hexes.slice(best + bestLen).join(':')}`;
}

/** `text` when it is already an IPv6 address in canonical form, else undefined (then ask src/net). */
export function canonicalIpv6Fast(text: string): string | undefined {
  const g = ipv6Groups(text);
  return g && formatIpv6Groups(g) === text ? text : undefined;
}
