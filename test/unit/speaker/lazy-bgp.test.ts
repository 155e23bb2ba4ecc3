import { describe, expect, test } from 'vitest';
import type { BgpSpeaker } from '../../../src/bgp/speaker/index.ts';
import type { Peer } from '../../../src/config/model.ts';
import { LazyBgp } from '../../../src/speaker/lazy-bgp.ts';
import type { BgpConfig } from '../../../src/speaker/ports.ts';

/** A stand-in for BgpSpeaker recording the calls it gets, in order. */
function fakeSpeaker(calls: string[]): BgpSpeaker {
  return {
    setNode: (n: { name: string }) => calls.push(`setNode ${n.name}`),
    setConfig: (c: BgpConfig) => calls.push(`setConfig ${c.peers.length}`),
    setAnnouncements: (ips: { ip: string }[]) => calls.push(`setAnnouncements ${ips.map((i) => i.ip).join(',')}`),
    start: async () => void calls.push('start'),
    stop: async (o: { restart?: boolean } = {}) => void calls.push(`stop${o.restart ? ' restart' : ''}`),
    sessions: () => new Map([['p1', {}]]),
  } as unknown as BgpSpeaker;
}

const peer = { name: 'p1' } as Peer;
const config = (peers: Peer[]): BgpConfig => ({ peers, bgpAdvertisements: [], bfdProfiles: [] });
const node = { name: 'n1', labels: {} };
const flush = () => new Promise((r) => setImmediate(r));

describe('LazyBgp', () => {
  test('never loads the speaker while no peer is configured', async () => {
    let loads = 0;
    const bgp = new LazyBgp({ load: async () => (loads++, fakeSpeaker([])), onError: () => {} });
    bgp.setNode(node);
    bgp.setConfig(config([]));
    bgp.setAnnouncements([{ ip: '192.0.2.1', pool: 'a' }]);
    await bgp.start();
    await bgp.stop();
    expect(loads).toBe(0);
    expect(bgp.loaded).toBe(false);
    expect(bgp.sessions().size).toBe(0);
  });

  test('the first peer loads it once; what was set before is replayed, then started; later calls go through', async () => {
    const calls: string[] = [];
    let loads = 0;
    const bgp = new LazyBgp({ load: async () => (loads++, fakeSpeaker(calls)), onError: () => {} });
    bgp.setNode(node);
    bgp.setAnnouncements([{ ip: '192.0.2.1', pool: 'a' }]);
    await bgp.start();
    bgp.setConfig(config([peer]));
    bgp.setConfig(config([peer])); // while loading: no second load
    await flush();
    expect(loads).toBe(1);
    expect(calls).toEqual(['setNode n1', 'setConfig 1', 'setAnnouncements 192.0.2.1', 'start']);
    bgp.setAnnouncements([{ ip: '192.0.2.2', pool: 'a' }]);
    await bgp.stop({ restart: true });
    expect(calls.slice(4)).toEqual(['setAnnouncements 192.0.2.2', 'stop restart']);
    expect(bgp.sessions().size).toBe(1);
  });

  test('a stop while it loads waits for it and stops it, never starting it', async () => {
    const calls: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const bgp = new LazyBgp({ load: async () => (await gate, fakeSpeaker(calls)), onError: () => {} });
    await bgp.start();
    bgp.setConfig(config([peer]));
    const stopped = bgp.stop();
    release();
    await stopped;
    expect(calls).toEqual(['setConfig 1', 'stop']);
  });

  test('eager loads at once (a listener for passive peers); a failed load is reported and BGP stays off', async () => {
    let loads = 0;
    new LazyBgp({ eager: true, load: async () => (loads++, fakeSpeaker([])), onError: () => {} });
    expect(loads).toBe(1);
    const errors: unknown[] = [];
    const bgp = new LazyBgp({
      load: () => Promise.reject(new Error('no module')),
      onError: (e) => errors.push(e),
    });
    bgp.setConfig(config([peer]));
    await flush();
    expect(errors).toHaveLength(1);
    await expect(bgp.stop()).resolves.toBeUndefined();
    expect(bgp.sessions().size).toBe(0);
  });
});
