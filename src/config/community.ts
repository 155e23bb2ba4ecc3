// BGP communities as MetalLB writes them:
//   standard (RFC 1997)  "AS:value", each 0..65535, e.g. "64512:100"
//   large    (RFC 8092)  "large:global:local1:local2", each 0..4294967295
//   well-known names     no-export, no-advertise, no-export-subconfed (RFC 1997), no-peer (RFC 3765),
//                        blackhole (RFC 7999). MetalLB itself only knows them through user aliases; an
//                        alias of the same name always takes precedence.
import type { Community } from './model.ts';
import { closest } from './suggest.ts';

/** A Map, not an object: a name such as "valueOf" must not find Object.prototype's. */
export const WELL_KNOWN_COMMUNITIES: ReadonlyMap<string, number> = new Map([
  ['no-export', 0xffffff01],
  ['no-advertise', 0xffffff02],
  ['no-export-subconfed', 0xffffff03],
  ['no-peer', 0xffffff04],
  ['blackhole', 0xffff029a],
]);

function decimal(text: string, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

/** Parses a community literal (not an alias). Returns the value or an error message. */
export function parseCommunity(text: string): Community | string {
  const s = text.trim();
  const wellKnown = WELL_KNOWN_COMMUNITIES.get(s);
  if (wellKnown !== undefined) return { kind: 'standard', value: wellKnown };
  if (s.startsWith('large:')) {
    const parts = s.slice('large:'.length).split(':');
    if (parts.length !== 3) {
      return `invalid large community "${text}": expected "large:<global>:<local1>:<local2>"`;
    }
    const nums = parts.map((p) => decimal(p, 0xffffffff));
    const bad = nums.findIndex((n) => n === undefined);
    if (bad >= 0) {
      return `invalid large community "${text}": "${parts[bad]}" is not a number in 0..4294967295`;
    }
    return { kind: 'large', globalAdmin: nums[0]!, localData1: nums[1]!, localData2: nums[2]! };
  }
  const parts = s.split(':');
  if (parts.length !== 2) {
    return `invalid community "${text}": expected "<AS>:<value>" (each 0..65535), "large:<a>:<b>:<c>" or a well-known name`;
  }
  const nums = parts.map((p) => decimal(p, 0xffff));
  const bad = nums.findIndex((n) => n === undefined);
  if (bad >= 0) {
    return `invalid community "${text}": "${parts[bad]}" is not a number in 0..65535`;
  }
  return { kind: 'standard', value: nums[0]! * 65536 + nums[1]! };
}

/** True when the text can only be meant as a literal (it has a ':'), not as an alias name. */
export function looksLikeCommunityLiteral(text: string): boolean {
  return text.includes(':');
}

export function formatCommunity(c: Community): string {
  if (c.kind === 'large') return `large:${c.globalAdmin}:${c.localData1}:${c.localData2}`;
  return `${Math.floor(c.value / 65536)}:${c.value % 65536}`;
}

export function sameCommunity(a: Community, b: Community): boolean {
  return formatCommunity(a) === formatCommunity(b);
}

/**
 * Resolves what an advertisement lists: an alias (legacy `bgp-communities` / Community CRDs, checked
 * first), else a literal. A word without ':' that is neither an alias nor a well-known name is reported as
 * an unknown alias.
 */
export function resolveCommunity(text: string, aliases: Readonly<Record<string, Community>>): Community | string {
  if (Object.hasOwn(aliases, text)) return aliases[text]!;
  if (!looksLikeCommunityLiteral(text) && !WELL_KNOWN_COMMUNITIES.has(text.trim())) {
    const names = [...Object.keys(aliases), ...WELL_KNOWN_COMMUNITIES.keys()];
    const c = closest(text, names);
    return `unknown community alias "${text}"${c === undefined ? '' : ` (did you mean "${c}"?)`}`;
  }
  return parseCommunity(text);
}
