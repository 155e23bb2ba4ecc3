// BGPPeer (metallb.io/v1beta2, and the older v1beta1) → Peer.
import type { CrdObject } from './crd-envelope.ts';
import { MAX_ASN } from './legacy.ts';
import type { Peer } from './model.ts';
import { assemblePeer, checkMultiHop, checkSourceFamily, readAddress, readRouterId } from './peer-fields.ts';
import { Fields } from './reader.ts';
import { readSelectorList } from './selector-parse.ts';
import { resolveTimers } from './timers.ts';

export interface PeerDraft {
  obj: CrdObject;
  peer: Peer;
}

const V1BETA1 = [
  'myASN',
  'peerASN',
  'peerAddress',
  'sourceAddress',
  'peerPort',
  'holdTime',
  'keepaliveTime',
  'routerID',
  'nodeSelectors',
  'password',
  'bfdProfile',
  'ebgpMultiHop',
];
const V1BETA2_ONLY = ['passwordSecret', 'vrf'];
/** v1beta2 fields FerroLB does not implement (accepted only when empty / false). */
const UNSUPPORTED = [
  'dynamicASN',
  'interface',
  'connectTime',
  'enableGracefulRestart',
  'disableMP',
  'dualStackAddressFamily',
];

export function readPeer(obj: CrdObject): PeerDraft | undefined {
  const problems = obj.problems;
  const before = problems.count;
  const v2 = obj.version === 'v1beta2';
  const elsewhere: Record<string, string> = {};
  if (!v2) {
    for (const k of V1BETA2_ONLY) elsewhere[k] = `"${k}" needs apiVersion metallb.io/v1beta2`;
    for (const k of UNSUPPORTED)
      elsewhere[k] = `"${k}" is a MetalLB v1beta2 feature FerroLB does not support yet; remove it`;
  }
  const f = new Fields(problems, 'spec', obj.spec, {
    known: v2 ? [...V1BETA1, ...V1BETA2_ONLY] : V1BETA1,
    unsupported: v2 ? UNSUPPORTED : [],
    elsewhere,
  });
  const myASN = f.int('myASN', 1, MAX_ASN, { required: true });
  const peerASN = f.int('peerASN', 1, MAX_ASN, { required: true });
  const peerAddress = readAddress(problems, f.at('peerAddress'), f.string('peerAddress', { required: true }));
  const peerPort = f.int('peerPort', 1, 65535) ?? 179;
  const timers = resolveTimers(problems, {
    holdTime: f.string('holdTime'),
    keepaliveTime: f.string('keepaliveTime'),
    holdPath: f.at('holdTime'),
    keepalivePath: f.at('keepaliveTime'),
    style: 'crd',
  });
  // Optional strings are `omitempty` in MetalLB: "" means unset.
  const routerID = readRouterId(problems, f.at('routerID'), f.string('routerID') || undefined);
  const sourceAddress = readAddress(problems, f.at('sourceAddress'), f.string('sourceAddress') || undefined);
  checkSourceFamily(problems, f.at('sourceAddress'), sourceAddress, peerAddress);
  const password = f.string('password');
  const secret = f.fields('passwordSecret', { known: ['name', 'namespace'] });
  const secretName = secret?.string('name');
  const secretNamespace = secret?.string('namespace');
  if (password && secretName) {
    problems.add(f.at('passwordSecret'), 'password and passwordSecret are mutually exclusive: set only one');
  }
  const bfdProfile = f.string('bfdProfile');
  const ebgpMultiHop = f.bool('ebgpMultiHop') ?? false;
  checkMultiHop(problems, f.at('ebgpMultiHop'), ebgpMultiHop, myASN, peerASN);
  const vrf = f.string('vrf');
  const nodeSelectors = readSelectorList(f, 'nodeSelectors', 'crd');
  const passwordSecret = secretName
    ? { name: secretName, ...(secretNamespace ? { namespace: secretNamespace } : {}) }
    : undefined;
  const peer = assemblePeer(problems, before, () => obj.name, {
    myASN,
    peerASN,
    peerAddress,
    peerPort,
    timers,
    ebgpMultiHop,
    nodeSelectors,
    sourceAddress,
    routerID,
    password,
    passwordSecret,
    bfdProfile,
    vrf,
  });
  return peer && { obj, peer };
}
