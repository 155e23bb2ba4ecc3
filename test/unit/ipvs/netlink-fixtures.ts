// Loads test/fixtures/ipvs-netlink/kernel-replies.json: requests FerroLB encoded and the raw replies of the
// real kernel to them, captured once in the test VM with `node test/integration/ipvs/guest-netlink.ts capture
// FILE` (Debian's kernel under qemu, a fresh network namespace; see that file). Fails when a part is missing.
import { readFileSync } from 'node:fs';

export interface Exchange {
  request: string;
  reply: string;
}

export interface KernelReplies {
  made: string;
  kernel: string;
  family: number;
  getFamily: Exchange;
  newService4: Exchange;
  newService6: Exchange;
  newDest4: Exchange;
  newDest6: Exchange;
  existingService: Exchange;
  serviceDump: Exchange;
  destDump4: Exchange;
  destDump6: Exchange;
  ipvsadmSave: string;
}

const KEYS: (keyof KernelReplies)[] = [
  'family',
  'getFamily',
  'newService4',
  'newService6',
  'newDest4',
  'newDest6',
  'existingService',
  'serviceDump',
  'destDump4',
  'destDump6',
  'ipvsadmSave',
];

export function loadKernelReplies(): KernelReplies {
  const file = new URL('../../fixtures/ipvs-netlink/kernel-replies.json', import.meta.url);
  const k = JSON.parse(readFileSync(file, 'utf8')) as KernelReplies;
  for (const key of KEYS) if (!k[key]) throw new Error(`${file.pathname}: no "${key}" (capture it again)`);
  return k;
}
