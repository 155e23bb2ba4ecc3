// L2Advertisement and BGPAdvertisement (metallb.io/v1beta1): read here, pools / peers / communities
// resolved later against the whole set (crds.ts).
import type { CrdObject } from './crd-envelope.ts';
import { MAX_ASN } from './legacy.ts';
import type { LabelSelector } from './model.ts';
import { join } from './problems.ts';
import { Fields } from './reader.ts';
import { readSelectorList } from './selector-parse.ts';

export interface NameRef {
  name: string;
  path: string;
}

export interface AdvertisementDraft {
  obj: CrdObject;
  poolNames: NameRef[];
  poolSelectors: LabelSelector[];
  nodeSelectors: LabelSelector[];
}

export interface L2Draft extends AdvertisementDraft {
  interfaces: string[];
}

export interface BgpDraft extends AdvertisementDraft {
  aggregationLength: number;
  aggregationLengthV6: number;
  localPref?: number;
  communities: NameRef[];
  peers: NameRef[];
}

/** MetalLB fields FerroLB does not implement yet (accepted only when empty). */
const UNSUPPORTED = ['serviceSelectors'];
const COMMON = ['ipAddressPools', 'ipAddressPoolSelectors', 'nodeSelectors'];

/** A list of names without duplicates (MetalLB: "duplicate definition of ..."). */
function readNames(f: Fields, key: string, what: string): NameRef[] {
  const out: NameRef[] = [];
  (f.strings(key) ?? []).forEach((name, i) => {
    const path = join(f.at(key), i);
    if (name.trim() === '') f.problems.add(path, `empty ${what} name`);
    else if (out.some((r) => r.name === name)) f.problems.add(path, `duplicate ${what} "${name}"`);
    else out.push({ name, path });
  });
  return out;
}

function readCommon(obj: CrdObject, f: Fields): AdvertisementDraft {
  return {
    obj,
    poolNames: readNames(f, 'ipAddressPools', 'pool'),
    poolSelectors: readSelectorList(f, 'ipAddressPoolSelectors', 'crd'),
    nodeSelectors: readSelectorList(f, 'nodeSelectors', 'crd'),
  };
}

export function readL2Advertisement(obj: CrdObject): L2Draft | undefined {
  const before = obj.problems.count;
  const f = new Fields(obj.problems, 'spec', obj.spec, { known: [...COMMON, 'interfaces'], unsupported: UNSUPPORTED });
  const common = readCommon(obj, f);
  const interfaces: string[] = [];
  (f.strings('interfaces') ?? []).forEach((name, i) => {
    const path = join(f.at('interfaces'), i);
    // Linux IFNAMSIZ is 16 with the NUL; no '/', ':' or white space.
    if (name === '' || name.length > 15 || /[\s/:]/.test(name) || name === '.' || name === '..') {
      obj.problems.add(path, `"${name}" is not a valid interface name (1..15 characters, no "/", ":" or spaces)`);
    } else if (interfaces.includes(name)) obj.problems.add(path, `duplicate interface "${name}"`);
    else interfaces.push(name);
  });
  return obj.problems.count > before ? undefined : { ...common, interfaces };
}

export function readBgpAdvertisement(obj: CrdObject): BgpDraft | undefined {
  const before = obj.problems.count;
  const f = new Fields(obj.problems, 'spec', obj.spec, {
    known: [...COMMON, 'aggregationLength', 'aggregationLengthV6', 'localPref', 'communities', 'peers'],
    unsupported: UNSUPPORTED,
  });
  const common = readCommon(obj, f);
  const draft: BgpDraft = {
    ...common,
    aggregationLength: f.int('aggregationLength', 1, 32) ?? 32,
    aggregationLengthV6: f.int('aggregationLengthV6', 0, 128) ?? 128,
    communities: readNames(f, 'communities', 'community'),
    peers: readNames(f, 'peers', 'peer'),
  };
  const localPref = f.int('localPref', 0, MAX_ASN);
  // localPref is `uint32 omitempty` in MetalLB: 0 means unset.
  if (localPref !== undefined && localPref !== 0) draft.localPref = localPref;
  return obj.problems.count > before ? undefined : draft;
}
