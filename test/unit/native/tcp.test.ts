// The addon on loopback (no root): argument validation, options read back from the kernel, and a TCP MD5
// connection whose keys match. Mismatch/GTSM behaviour is in test/integration/native (two namespaces).
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectTcp,
  listenTcp,
  nativeAddon,
  NativeAddonMissingError,
  setMd5Key,
  socketOptions,
} from '../../../src/native/index.ts';

const open: (net.Server | net.Socket)[] = [];
afterEach(() => {
  for (const s of open.splice(0)) {
    if (s instanceof net.Server) s.close();
    else s.destroy();
  }
});

describe('addon loading', () => {
  it('says how to fix a missing build', () => {
    const e = new NativeAddonMissingError(
      new Error("Cannot find module '/x/build/Release/ferrolb_native.node'\nRequire stack: ..."),
    );
    expect(e.code).toBe('ERR_FERROLB_NATIVE_MISSING');
    expect(e.message).toMatch(
      /could not be loaded from .*build\/Release\/ferrolb_native\.node \(Cannot find module .*\); run `npm ci`/,
    );
    expect(e.message).not.toMatch(/Require stack/);
  });
});

describe('createTcpSocket argument validation', () => {
  const addon = nativeAddon();
  const cases: [string, object, RegExp][] = [
    ['family', { family: 5 }, /family must be 4 or 6/],
    ['ttl range', { family: 4, ttl: 256 }, /ttl must be an integer in 1\.\.255, got 256/],
    ['ttl integer', { family: 4, ttl: 1.5 }, /ttl must be an integer/],
    ['minTtl range', { family: 4, minTtl: 0 }, /minTtl must be an integer in 1\.\.255/],
    ['localPort', { family: 4, localPort: 70000 }, /localPort must be an integer in 0\.\.65535/],
    ['bad local address', { family: 4, localAddress: 'router1' }, /localAddress: "router1" is not an IPv4 or IPv6/],
    ['family mismatch', { family: 4, localAddress: '2001:db8::1' }, /is not an IPv4 address \(socket family is IPv4\)/],
    ['md5 not array', { family: 4, md5: { peer: '192.0.2.1' } }, /md5 must be an array/],
    [
      'md5 key too long',
      { family: 4, md5: [{ peer: '192.0.2.1', key: 'k'.repeat(81) }] },
      /md5\[0\]: key must be 1\.\.80 bytes, got 81/,
    ],
    [
      'md5 empty key',
      { family: 4, md5: [{ peer: '192.0.2.1', key: '' }] },
      /md5\[0\]: key must be 1\.\.80 bytes, got 0/,
    ],
    [
      'md5 key type',
      { family: 4, md5: [{ peer: '192.0.2.1', key: 42 }] },
      /md5\[0\]: key must be a string or a Uint8Array/,
    ],
    [
      'md5 bad peer',
      { family: 6, md5: [{ peer: '192.0.2.300', key: 'k' }] },
      /md5\[0\]\.peer: "192\.0\.2\.300" is not an IPv4 or IPv6/,
    ],
    ['device too long', { family: 4, device: 'x'.repeat(16) }, /device: interface names are at most 15 bytes/],
  ];
  for (const [name, opts, message] of cases) {
    it(`rejects ${name}`, () => {
      let caught: unknown;
      try {
        addon.createTcpSocket(opts as never);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(TypeError);
      expect((caught as Error).message).toMatch(message);
      expect((caught as { code: string }).code).toBe('ERR_INVALID_ARG_VALUE');
    });
  }

  it('reports system errors with the errno name and the call', () => {
    let caught: unknown;
    try {
      addon.createTcpSocket({ family: 4, device: 'ferrolb-nodev0' });
    } catch (err) {
      caught = err;
    }
    // Without CAP_NET_RAW SO_BINDTODEVICE is EPERM; as root an unknown device is ENODEV.
    expect((caught as { code: string }).code).toMatch(/^(ENODEV|EPERM)$/);
    expect((caught as Error).message).toMatch(/^(ENODEV|EPERM): setsockopt SO_BINDTODEVICE ferrolb-nodev0/);
  });

  it('sets TTL and minimum TTL (IPv4 and IPv6) as read back from the kernel', () => {
    for (const family of [4, 6] as const) {
      const fd = addon.createTcpSocket({ family, ttl: 255, minTtl: 254 });
      try {
        expect(addon.socketOptions(fd)).toEqual({ family, ttl: 255, minTtl: 254, device: '' });
      } finally {
        addon.closeFd(fd);
      }
    }
  });
});

describe('connectTcp / listenTcp on loopback', () => {
  it('validates before creating anything (as rejections)', async () => {
    await expect(connectTcp({ host: 'peer.example', port: 179, timeoutMs: 100 })).rejects.toThrow(
      /host "peer.example" is not an IP address/,
    );
    await expect(connectTcp({ host: '127.0.0.1', port: 0, timeoutMs: 100 })).rejects.toThrow(
      /port must be an integer in 1\.\.65535, got 0/,
    );
    await expect(connectTcp({ host: '127.0.0.1', port: 179, family: 6, timeoutMs: 100 })).rejects.toThrow(
      /not an IPv6 address/,
    );
    await expect(connectTcp({ host: '127.0.0.1', port: 179, timeoutMs: 0 })).rejects.toThrow(
      /timeoutMs must be a positive number/,
    );
    await expect(connectTcp({ host: '127.0.0.1', port: 179, ttl: 0, timeoutMs: 100 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    await expect(listenTcp({ host: '127.0.0.1', port: 1, md5Keys: [{ peer: '127.0.0.1', key: '' }] })).rejects.toThrow(
      /md5\[0\]: key must be 1\.\.80 bytes/,
    );
    await expect(listenTcp({ host: '::1', port: 65536 })).rejects.toThrow(/port must be an integer in 0\.\.65535/);
  });

  it('connects with matching MD5 keys and carries data both ways', async () => {
    const server = await listenTcp(
      { host: '127.0.0.1', port: 0, md5Keys: [{ peer: '127.0.0.1', key: 'ferrolb-secret' }], ttl: 255 },
      (s) => {
        open.push(s);
        s.on('data', (d) => s.write(Buffer.concat([Buffer.from('echo:'), d])));
      },
    );
    open.push(server);
    expect(socketOptions(server).ttl).toBe(255);
    const port = (server.address() as net.AddressInfo).port;
    const client = await connectTcp({ host: '127.0.0.1', port, md5Key: 'ferrolb-secret', ttl: 255, timeoutMs: 5000 });
    open.push(client);
    expect(client.remotePort).toBe(port);
    const reply = new Promise<string>((resolve) => client.once('data', (d) => resolve(d.toString())));
    client.write('open');
    expect(await reply).toBe('echo:open');
  });

  it('IPv6 listener keys an IPv4 peer through its mapped address and accepts live key changes', async () => {
    const server = await listenTcp({
      host: '::1',
      port: 0,
      md5Keys: [{ peer: '::1', key: new Uint8Array([1, 2, 3]) }],
    });
    open.push(server);
    setMd5Key(server, '127.0.0.1', 'added-later');
    setMd5Key(server, '::1', null);
    setMd5Key(server, '::1', null); // removing an absent key is not an error
    expect(() => setMd5Key(server, 'not-an-ip', 'x')).toThrow(/host "not-an-ip" is not an IP address/);
    const port = (server.address() as net.AddressInfo).port;
    const client = await connectTcp({ host: '::1', port, timeoutMs: 5000 });
    open.push(client);
    expect(client.remoteAddress).toBe('::1');
  });

  it('rejects with the errno when nothing listens', async () => {
    const probe = await listenTcp({ host: '127.0.0.1', port: 0 });
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await expect(connectTcp({ host: '127.0.0.1', port, timeoutMs: 5000 })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
