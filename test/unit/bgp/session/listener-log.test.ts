// The listener's refused-connection log is limited to one line per remote address per minute (a scanner or
// a router dialling with the wrong address cannot flood the log); every refusal is still recorded, and
// the next line says how many were not logged.
import { Writable } from 'node:stream';
import { createLogger } from '../../../../src/log/index.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { BgpListener } from '../../../../src/bgp/session/listener.ts';
import { FakeClock } from '../../../helpers/fake-clock.ts';
import { eventually, rawConnect } from './raw-peer.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('BgpListener refused-connection log', () => {
  it('logs one line per remote address per minute, counting the rest', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const clock = new FakeClock();
    const listener = new BgpListener({
      port: 0,
      host: '127.0.0.1',
      clock,
      logger: createLogger({ level: 'info' }, sink),
    });
    const port = await listener.start();
    cleanups.push(() => listener.close());
    const refusedLines = () => lines.filter((l) => l['event'] === 'incoming-refused');
    const knock = async (n: number, from: string) => {
      const before = listener.refused.length;
      for (let i = 0; i < n; i++) await rawConnect(port, '127.0.0.1', from);
      await eventually(() => listener.refused.length === before + n, 'refusals recorded');
    };

    await knock(5, '127.0.0.3');
    await knock(2, '127.0.0.4');
    expect(listener.refused).toHaveLength(7);
    expect(refusedLines().map((l) => l['remote'])).toEqual(['127.0.0.3', '127.0.0.4']);

    clock.advance(60_000);
    await knock(1, '127.0.0.3');
    const third = refusedLines()[2];
    expect(third).toMatchObject({
      remote: '127.0.0.3',
      notLoggedSince: 4,
      reason: 'no peer configured for this address',
    });
  });
});
