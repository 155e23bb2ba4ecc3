// The native UDP socket: received datagrams come with their TTL / hop limit (RFC 5881 GTSM); sends use
// the configured TTL.
import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { nativeAddon } from '../../../src/native/index.ts';

interface Got {
  data: string;
  address: string;
  port: number;
  ttl: number;
}

async function roundTrip(family: 4 | 6, ttl: number): Promise<Got> {
  const { UdpSocket } = nativeAddon();
  const host = family === 4 ? '127.0.0.1' : '::1';
  let resolveGot: (g: Got) => void = () => {};
  const got = new Promise<Got>((r) => (resolveGot = r));
  const receiver = new UdpSocket({ family, localAddress: host, port: 0 }, (data, address, port, t) =>
    resolveGot({ data: data.toString(), address, port, ttl: t }),
  );
  const sender = dgram.createSocket(family === 4 ? 'udp4' : 'udp6');
  try {
    await new Promise<void>((r) => sender.bind(0, host, () => r()));
    sender.setTTL(ttl);
    sender.send(Buffer.from('bfd'), receiver.localPort(), host);
    const result = await got;
    expect(result.port).toBe(sender.address().port);
    return result;
  } finally {
    sender.close();
    receiver.close();
    receiver.close(); // idempotent
  }
}

describe('UdpSocket', () => {
  it('reports the IPv4 TTL of each datagram', async () => {
    expect(await roundTrip(4, 255)).toMatchObject({ data: 'bfd', address: '127.0.0.1', ttl: 255 });
    expect((await roundTrip(4, 17)).ttl).toBe(17);
  });

  it('reports the IPv6 hop limit', async () => {
    expect(await roundTrip(6, 255)).toMatchObject({ data: 'bfd', address: '::1', ttl: 255 });
  });

  it('rejects bad options with a clear message', () => {
    const { UdpSocket } = nativeAddon();
    expect(() => new UdpSocket({ family: 4, port: -1 }, () => {})).toThrow(/port must be an integer in 0\.\.65535/);
    expect(() => new UdpSocket({ family: 4, localAddress: '::1', port: 0 }, () => {})).toThrow(/not an IPv4 address/);
    expect(() => new UdpSocket(undefined as never, () => {})).toThrow(/expected \(options, onMessage\?\)/);
    expect(() => new UdpSocket({ family: 4, port: 0, ttl: 0 })).toThrow(/ttl must be an integer in 1\.\.255/);
  });

  it('a send-only socket sends with its TTL to a receiving one (both native)', async () => {
    const { UdpSocket } = nativeAddon();
    let resolveGot: (g: Got) => void = () => {};
    const got = new Promise<Got>((r) => (resolveGot = r));
    const rx = new UdpSocket({ family: 6, localAddress: '::1', port: 0 }, (data, address, port, ttl) =>
      resolveGot({ data: data.toString(), address, port, ttl }),
    );
    const tx = new UdpSocket({ family: 6, localAddress: '::1', port: 0, ttl: 255 });
    try {
      expect(tx.send(Buffer.from('hello'), '::1', rx.localPort())).toBe(5);
      expect(await got).toEqual({ data: 'hello', address: '::1', port: tx.localPort(), ttl: 255 });
      expect(() => tx.send(Buffer.from('x'), 'nowhere', 1)).toThrow(
        /send: address: "nowhere" is not an IPv4 or IPv6 address/,
      );
      expect(() => tx.send(Buffer.from('x'), '::1', 0)).toThrow(/port must be an integer in 1\.\.65535/);
    } finally {
      tx.close();
      rx.close();
    }
    expect(() => tx.send(Buffer.from('x'), '::1', 9)).toThrow(/closed/);
  });

  it('closed sockets refuse localPort()', () => {
    const { UdpSocket } = nativeAddon();
    const r = new UdpSocket({ family: 4, localAddress: '127.0.0.1', port: 0 }, () => {});
    r.close();
    expect(() => r.localPort()).toThrow(/closed/);
  });
});
