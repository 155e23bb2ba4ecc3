// Argument checking of the native PacketSocket (no root needed: it throws before opening anything).
// Receiving, the kernel filter, sending and multicast membership run against real interfaces in
// test/integration/l2.
import { describe, expect, it } from 'vitest';
import { nativeAddon, openPacketSocket } from '../../../src/native/index.ts';

describe('native PacketSocket arguments', () => {
  it.each([
    [{ ifindex: 0 }, /ifindex must be a positive integer/],
    [{ ifindex: 1.5 }, /ifindex must be a positive integer/],
    [{ ifindex: '1' }, /ifindex must be a positive integer/],
    [{ ifindex: 1, receiveBufferBytes: -1 }, /receiveBufferBytes must be a non-negative integer/],
  ])('%j is refused with ERR_INVALID_ARG_VALUE', (opts, message) => {
    const { PacketSocket } = nativeAddon();
    let err: unknown;
    try {
      new PacketSocket(opts as never, () => {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TypeError);
    expect((err as { code?: string }).code).toBe('ERR_INVALID_ARG_VALUE');
    expect((err as Error).message).toMatch(message);
  });
  it('a missing callback is refused', () => {
    const { PacketSocket } = nativeAddon();
    expect(() => new (PacketSocket as unknown as new (o: object) => unknown)({ ifindex: 1 })).toThrow(
      /expected \(options, onFrame\)/,
    );
  });
  it('opens on loopback as root (EPERM otherwise), and send checks its argument', () => {
    let s;
    try {
      s = openPacketSocket(1, () => {});
    } catch (e) {
      expect((e as { code?: string }).code).toBe('EPERM');
      return;
    }
    expect(() => s.send(new Uint8Array(4))).toThrow(/at least 14 octets/);
    expect(() => s.addMembership(new Uint8Array(5))).toThrow(/6 octets/);
    expect(s.statistics()).toMatchObject({ drops: 0 });
    s.close();
    s.close();
    expect(() => s.send(new Uint8Array(60))).toThrow(/closed/);
  });
});
