// The captured seed corpus (real daemons' bytes) through FerroLB's codec: every file decodes as one
// whole message of the type its name says, with no RFC 7606 error, and the UPDATEs carry what the
// capture made the daemons send. Needs no root: it reads files only.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeMessage, type BgpMessage } from '../../../src/bgp/codec/index.ts';

const DIR = new URL('../../fixtures/bgp-corpus/', import.meta.url).pathname;
const TYPE_OF: Record<string, BgpMessage['type']> = {
  open: 'OPEN',
  update: 'UPDATE',
  notification: 'NOTIFICATION',
  keepalive: 'KEEPALIVE',
  'route-refresh': 'ROUTE-REFRESH',
};
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.bin'))
  .sort();

describe('captured BGP corpus decodes with the FerroLB codec', () => {
  it('has captures from all four daemons and every message type', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    for (const d of ['bird', 'frr', 'gobgp', 'exabgp'])
      expect(files.filter((f) => f.startsWith(`${d}-`)).length, d).toBeGreaterThanOrEqual(6);
    for (const t of Object.keys(TYPE_OF))
      expect(
        files.some((f) => f.endsWith(`-${t}.bin`)),
        t,
      ).toBe(true);
  });

  it.each(files)('%s', (file) => {
    const bytes = new Uint8Array(readFileSync(DIR + file));
    const { value, bytesRead } = decodeMessage(bytes, 0, { fourOctetAs: true });
    expect(bytesRead).toBe(bytes.length);
    const want = TYPE_OF[/-\d+-(.+)\.bin$/.exec(file)![1]!];
    expect(value.type).toBe(want);
    if (value.type === 'UPDATE') {
      expect(value.treatAsWithdraw ?? false).toBe(false);
      expect(value.errors ?? []).toEqual([]);
      expect(value.discarded ?? []).toEqual([]);
      const announced =
        value.nlri.length + value.attributes.reduce((n, a) => n + (a.type === 'MP_REACH_NLRI' ? a.nlri.length : 0), 0);
      if (announced > 0) {
        const comm = value.attributes.find((a) => a.type === 'COMMUNITIES');
        expect(comm && comm.type === 'COMMUNITIES' ? comm.communities : []).toEqual([0xfde80001, 0xfde80002]);
        expect(value.attributes.some((a) => a.type === 'LARGE_COMMUNITIES')).toBe(true);
      }
    }
    if (value.type === 'OPEN') {
      expect(value.version).toBe(4);
      expect(value.capabilities.some((c) => c.type === 'FOUR_OCTET_AS')).toBe(true);
    }
  });
});
