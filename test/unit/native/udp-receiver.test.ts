// The native UDP receive path reports each datagram's TTL / hop limit (needed for RFC 5881 GTSM).
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
  const { UdpReceiver } = nativeAddon();
  const host = family === 4 ? '127.0.0.1' : '::1';
  let resolveGot: (g: Got) => void = () => {};
  const got = new Promise<Got>((r) => (resolveGot = r));
  const receiver = new UdpReceiver({ family, localAddress: host, port: 0 }, (data, address, port, t) =>
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

describe('UdpReceiver', () => {
  it('reports the IPv4 TTL of each datagram', async () => {
    expect(await roundTrip(4, 255)).toMatchObject({ data: 'bfd', address: '127.0.0.1', ttl: 255 });
    expect((await roundTrip(4, 17)).ttl).toBe(17);
  });

  it('reports the IPv6 hop limit', async () => {
    expect(await roundTrip(6, 255)).toMatchObject({ data: 'bfd', address: '::1', ttl: 255 });
  });

  it('rejects bad options with a clear message', () => {
    const { UdpReceiver } = nativeAddon();
    expect(() => new UdpReceiver({ family: 4, port: -1 }, () => {})).toThrow(/port must be an integer in 0\.\.65535/);
    expect(() => new UdpReceiver({ family: 4, localAddress: '::1', port: 0 }, () => {})).toThrow(/not an IPv4 address/);
    expect(() => new UdpReceiver(undefined as never, () => {})).toThrow(/expected \(options, onMessage\)/);
  });

  it('closed receivers refuse localPort()', () => {
    const { UdpReceiver } = nativeAddon();
    const r = new UdpReceiver({ family: 4, localAddress: '127.0.0.1', port: 0 }, () => {});
    r.close();
    expect(() => r.localPort()).toThrow(/closed/);
  });
});
