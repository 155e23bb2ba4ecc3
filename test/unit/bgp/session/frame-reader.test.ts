import { describe, expect, it } from 'vitest';
import { encodeMessage } from '../../../../src/bgp/codec/index.ts';
import { FrameReader } from '../../../../src/bgp/session/frame-reader.ts';

const KA = encodeMessage({ type: 'KEEPALIVE' }, { fourOctetAs: true });
const NOTIF = encodeMessage(
  { type: 'NOTIFICATION', code: 6, subcode: 2, data: new Uint8Array(0) },
  { fourOctetAs: true },
);

describe('FrameReader', () => {
  it('reassembles messages split at every byte boundary and batched together', () => {
    const stream = new Uint8Array([...KA, ...NOTIF, ...KA]);
    for (let cut = 1; cut < stream.length; cut++) {
      const r = new FrameReader();
      const frames: number[] = [];
      for (const part of [stream.subarray(0, cut), stream.subarray(cut)]) {
        expect(r.push(part, (f) => (frames.push(f.length), true))).toBeUndefined();
      }
      expect(frames).toEqual([19, 21, 19]);
      expect(r.buffered).toBe(0);
    }
  });

  it('returns a 1/1 error for a bad marker and a 1/2 error for a bad length', () => {
    const bad = new Uint8Array(KA);
    bad[0] = 0;
    expect(new FrameReader().push(bad, () => true)).toMatchObject({ code: 1, subcode: 1 });
    const long = new Uint8Array(KA);
    long[16] = 0xff;
    expect(new FrameReader().push(long, () => true)).toMatchObject({ code: 1, subcode: 2 });
  });

  it('stops when the callback says so', () => {
    const r = new FrameReader();
    let n = 0;
    r.push(new Uint8Array([...KA, ...KA, ...KA]), () => (++n, false));
    expect(n).toBe(1);
  });
});

describe('FrameReader.read budget', () => {
  it('hands out at most the budget per call and keeps the rest for the next', () => {
    const r = new FrameReader();
    r.append(new Uint8Array(Array.from({ length: 10 }, () => [...KA]).flat()));
    const seen: number[] = [];
    const counts: number[] = [];
    for (let more = true; more;) {
      let n = 0;
      const res = r.read({ frames: 4, bytes: Infinity }, () => (n++, seen.push(1), true));
      counts.push(n);
      more = res.more;
    }
    expect(counts).toEqual([4, 4, 2]);
    expect(r.buffered).toBe(0);
  });

  it('stops at the byte budget but always hands out one frame', () => {
    const r = new FrameReader();
    r.append(new Uint8Array([...NOTIF, ...KA, ...KA]));
    let n = 0;
    expect(r.read({ frames: 100, bytes: 10 }, () => (n++, true))).toEqual({ more: true });
    expect(n).toBe(1);
    expect(r.read({ frames: 100, bytes: 38 }, () => (n++, true))).toEqual({ more: false });
    expect(n).toBe(3);
  });

  it('keeps a partial frame across appends and reports header errors from read', () => {
    const r = new FrameReader();
    r.append(KA.subarray(0, 10));
    expect(r.read({ frames: 1, bytes: 1000 }, () => true)).toEqual({ more: false });
    r.append(KA.subarray(10));
    let n = 0;
    r.read({ frames: 1, bytes: 1000 }, () => (n++, true));
    expect(n).toBe(1);
    const bad = new Uint8Array(KA);
    bad[3] = 0;
    r.append(bad);
    expect(r.read({ frames: 1, bytes: 1000 }, () => true).error).toMatchObject({ code: 1, subcode: 1 });
    expect(r.buffered).toBe(0);
  });
});
