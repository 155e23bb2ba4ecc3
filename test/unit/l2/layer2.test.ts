// The Layer 2 shell on an in-memory network and the FakeClock: what it opens, joins, sends, counts and
// reports. The real packet sockets are proven in test/integration/l2.
import { describe, expect, it } from 'vitest';
import { decodeL2Frame, encodeL2Frame, solicitedNodeMac } from '../../../src/l2/codec/index.ts';
import { gratuitousArp, unsolicitedAdvertisement, type InterfaceFacts } from '../../../src/l2/core/index.ts';
import {
  FRAME_OUTGOING,
  FRAME_TRUNCATED,
  FRAME_VLAN_TAGGED,
  InterfaceNotFoundError,
  Layer2,
  type FrameHandler,
  type L2Io,
} from '../../../src/l2/index.ts';
import { Layer2Adapter } from '../../../src/speaker/layer2-adapter.ts';
import { FakeClock } from '../../helpers/fake-clock.ts';

const MAC = { eth0: '02:00:5e:10:00:01', eth1: '02:00:5e:10:00:02', eth2: '02:00:5e:10:00:03' };
const CLIENT = '02:00:5e:10:00:99';

function memoryIo(facts: Record<string, Partial<InterfaceFacts>>) {
  const sent: { iface: string; frame: Uint8Array }[] = [];
  const joined = new Map<string, Set<string>>();
  const receivers = new Map<string, FrameHandler>();
  const io: L2Io = {
    listInterfaces: () => Object.keys(facts),
    readFacts: (name) => {
      const f = facts[name];
      if (!f) throw new InterfaceNotFoundError(name);
      return {
        name,
        index: 1,
        mac: MAC[name as keyof typeof MAC] ?? '02:00:00:00:00:ff',
        up: true,
        noArp: false,
        ...f,
      };
    },
    openLink: (f, onFrame) => {
      receivers.set(f.name, onFrame);
      joined.set(f.name, new Set());
      return {
        // A copy: the shell reuses its reply buffer once send() returns.
        send: (frame, length) => void sent.push({ iface: f.name, frame: frame.slice(0, length) }),
        join: (mac) => void joined.get(f.name)!.add(mac),
        leave: (mac) => void joined.get(f.name)!.delete(mac),
        close: () => void receivers.delete(f.name),
      };
    },
  };
  // Delivered at an offset inside a bigger buffer, as the packet socket's receive arena does.
  const deliver = (iface: string, frame: Uint8Array, flags = 0): void => {
    const arena = new Uint8Array(frame.length + 64).fill(0xee);
    arena.set(frame, 24);
    receivers.get(iface)!(arena, 24, frame.length, flags);
  };
  return { io, sent, joined, receivers, deliver };
}

function arpRequest(target: string): Uint8Array {
  return encodeL2Frame({
    ethernet: { destination: 'ff:ff:ff:ff:ff:ff', source: CLIENT, etherType: 0x0806 },
    payload: {
      kind: 'arp',
      arp: {
        operation: 1,
        senderHardwareAddress: CLIENT,
        senderProtocolAddress: '192.0.2.1',
        targetHardwareAddress: '00:00:00:00:00:00',
        targetProtocolAddress: target,
      },
    },
  });
}

async function metric(l2: Layer2, name: string): Promise<string> {
  return (await l2.registry.getSingleMetricAsString(name))
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
}

describe('Layer2 shell', () => {
  it('announces gained IPs at once, answers, counts with MetalLB metric names, joins solicited-node groups', async () => {
    const clock = new FakeClock();
    const net = memoryIo({ eth0: {} });
    const l2 = new Layer2({ clock, io: net.io });
    const announced: string[] = [];
    l2.on('announced', (e) => announced.push(`${e.ip} ${e.reason}`));
    l2.set(new Map([['eth0', ['192.0.2.10', '2001:db8::10']]]));
    expect(announced).toEqual(['192.0.2.10 gained', '2001:db8::10 gained']);
    expect(net.sent).toHaveLength(3); // two gratuitous ARP forms + one NA
    expect(net.joined.get('eth0')).toEqual(new Set([solicitedNodeMac('2001:db8::10')]));
    net.deliver('eth0', arpRequest('192.0.2.10'));
    expect(decodeL2Frame(net.sent.at(-1)!.frame, 0).value.ethernet).toMatchObject({
      destination: CLIENT,
      source: MAC.eth0,
    });
    net.deliver('eth0', arpRequest('192.0.2.99'));
    clock.advance(3000);
    expect(announced.filter((a) => a.endsWith('repeat'))).toHaveLength(4);
    expect(await metric(l2, 'metallb_layer2_requests_received')).toContain(
      'metallb_layer2_requests_received{ip="192.0.2.10"} 1',
    );
    expect(await metric(l2, 'metallb_layer2_responses_sent')).toContain('{ip="192.0.2.10"} 1');
    expect(await metric(l2, 'metallb_layer2_gratuitous_sent')).toContain('{ip="2001:db8::10"} 3');
    expect(await metric(l2, 'ferrolb_layer2_ignored_total')).toContain(
      'ferrolb_layer2_ignored_total{interface="eth0",reason="not-owned"} 1',
    );
    l2.set(new Map([['eth0', ['192.0.2.10']]]));
    expect(net.joined.get('eth0')).toEqual(new Set());
    l2.close();
    expect(net.receivers.size).toBe(0);
    expect(clock.armed).toBe(0);
  });

  it('honours the allow-list, skips down/NOARP/enslaved/missing interfaces, and "*" expands to usable ones', () => {
    const net = memoryIo({ eth0: {}, eth1: { up: false }, eth2: { noArp: true }, eth3: { master: 'bond0' }, eth4: {} });
    const l2 = new Layer2({
      clock: new FakeClock(),
      io: net.io,
      interfaces: ['eth0', 'eth1', 'eth2', 'eth3', 'nope'],
      factsRefreshMs: 0,
    });
    const skipped: string[] = [];
    l2.on('skipped', (e) => skipped.push(`${e.interface} ${e.reason}`));
    l2.set(
      new Map([
        ['eth0', ['192.0.2.10']],
        ['eth1', ['192.0.2.10']],
        ['eth2', ['192.0.2.10']],
        ['eth3', ['192.0.2.10']],
        ['eth4', ['192.0.2.10']],
        ['nope', ['192.0.2.10']],
      ]),
    );
    expect(skipped.sort()).toEqual([
      'eth1 interface-down',
      'eth2 interface-noarp',
      'eth3 interface-enslaved',
      'eth4 not-allowed',
      'nope not-found',
    ]);
    expect([...l2.owned().keys()]).toEqual(['eth0']);
    l2.set(new Map([['*', ['192.0.2.11']]]));
    expect([...l2.owned().keys()]).toEqual(['eth0']);
    // the same state again reports nothing new
    const before = skipped.length;
    l2.set(new Map([['*', ['192.0.2.11']]]));
    expect(skipped.length).toBe(before);
    l2.close();
  });

  it('a request for an IP owned on another interface is ignored as wrong-interface', async () => {
    const net = memoryIo({ eth0: {}, eth1: {} });
    const l2 = new Layer2({ clock: new FakeClock(), io: net.io });
    l2.set(
      new Map([
        ['eth0', ['192.0.2.10']],
        ['eth1', ['192.0.2.11']],
      ]),
    );
    net.deliver('eth1', arpRequest('192.0.2.10'));
    expect(await metric(l2, 'ferrolb_layer2_ignored_total')).toContain('{interface="eth1",reason="wrong-interface"} 1');
    l2.close();
  });

  it('reports a conflict to the caller, counts it and re-asserts', async () => {
    const clock = new FakeClock();
    const net = memoryIo({ eth0: {} });
    const l2 = new Layer2({ clock, io: net.io, announce: { repeats: 0 } });
    const conflicts: unknown[] = [];
    const reasons: string[] = [];
    l2.on('conflict', (c) => conflicts.push(c));
    l2.on('announced', (e) => reasons.push(e.reason));
    l2.set(new Map([['eth0', ['192.0.2.10', '2001:db8::10']]]));
    clock.advance(2000);
    net.deliver('eth0', gratuitousArp('192.0.2.10', '02:00:5e:10:00:bb')[1]!);
    net.deliver('eth0', unsolicitedAdvertisement('2001:db8::10', '02:00:5e:10:00:bb'));
    expect(conflicts).toEqual([
      {
        interface: 'eth0',
        ip: '192.0.2.10',
        family: 'ipv4',
        mac: '02:00:5e:10:00:bb',
        ourMac: MAC.eth0,
        evidence: 'arp-reply',
      },
      {
        interface: 'eth0',
        ip: '2001:db8::10',
        family: 'ipv6',
        mac: '02:00:5e:10:00:bb',
        ourMac: MAC.eth0,
        evidence: 'neighbor-advertisement',
      },
    ]);
    expect(reasons.filter((r) => r === 'reassert')).toHaveLength(2);
    expect(await metric(l2, 'ferrolb_layer2_conflicts_total')).toContain('{interface="eth0",ip="192.0.2.10"} 1');
    l2.close();
  });

  it('bad addresses in set() throw naming them and change nothing; send errors are counted, not thrown', async () => {
    const net = memoryIo({ eth0: {} });
    net.io.openLink = (f, onFrame) => {
      void f;
      void onFrame;
      return {
        send: () => {
          throw Object.assign(new Error('ENOBUFS: send'), { code: 'ENOBUFS' });
        },
        join: () => {},
        leave: () => {},
        close: () => {},
      };
    };
    const l2 = new Layer2({ clock: new FakeClock(), io: net.io });
    expect(() => l2.set(new Map([['eth0', ['192.0.2.300']]]))).toThrow(/"192.0.2.300" \(interface eth0\)/);
    expect(l2.owned().size).toBe(0);
    l2.set(new Map([['eth0', ['192.0.2.10']]]));
    expect(await metric(l2, 'ferrolb_layer2_send_errors_total')).toContain('{interface="eth0",code="ENOBUFS"} 2');
    l2.close();
    expect(() => l2.set(new Map())).toThrow(/closed/);
  });
});

describe('Layer2 shell: interface facts change', () => {
  it('an interface that comes up later is used within factsRefreshMs; a new MAC is announced; an enslaved one is dropped', () => {
    const clock = new FakeClock();
    const facts: Record<string, Partial<InterfaceFacts>> = { eth0: { up: false } };
    const net = memoryIo(facts);
    const l2 = new Layer2({ clock, io: net.io, factsRefreshMs: 5000 });
    const events: string[] = [];
    l2.on('skipped', (e) => events.push(`skipped ${e.interface} ${e.reason}`));
    l2.on('active', (e) => events.push(`active ${e.interface}`));
    l2.on('announced', (e) => events.push(`announced ${e.ip} ${e.reason}`));
    l2.set(new Map([['eth0', ['192.0.2.10']]]));
    expect(events).toEqual(['skipped eth0 interface-down']);
    facts.eth0 = { up: true };
    clock.advance(5000);
    expect(events.slice(1)).toEqual(['active eth0', 'announced 192.0.2.10 gained']);
    facts.eth0 = { up: true, mac: '02:00:5e:10:00:77' };
    clock.advance(5000);
    expect(events.slice(-2)).toEqual(['active eth0', 'announced 192.0.2.10 gained']);
    expect(decodeL2Frame(net.sent.at(-1)!.frame, 0).value.ethernet.source).toBe('02:00:5e:10:00:77');
    facts.eth0 = { master: 'br0' };
    clock.advance(5000);
    expect(events.at(-1)).toBe('skipped eth0 interface-enslaved');
    expect(l2.owned().size).toBe(0);
    expect(net.receivers.size).toBe(0);
    l2.close();
  });
});

describe('Layer2 shell: failures stay local', () => {
  it('an interface whose socket cannot be opened is skipped (open-failed) and the others keep working', () => {
    const net = memoryIo({ eth0: {}, eth1: {} });
    const open = net.io.openLink;
    net.io.openLink = (f, onFrame) => {
      if (f.name === 'eth1') throw Object.assign(new Error('EPERM: socket AF_PACKET'), { code: 'EPERM' });
      return open(f, onFrame);
    };
    const l2 = new Layer2({ clock: new FakeClock(), io: net.io, factsRefreshMs: 0 });
    const skipped: string[] = [];
    l2.on('skipped', (e) => skipped.push(`${e.interface} ${e.reason}`));
    l2.set(
      new Map([
        ['eth0', ['192.0.2.10']],
        ['eth1', ['192.0.2.11']],
      ]),
    );
    expect(skipped).toEqual(['eth1 open-failed']);
    expect([...l2.owned().keys()]).toEqual(['eth0']);
    net.deliver('eth0', arpRequest('192.0.2.10'));
    expect(decodeL2Frame(net.sent.at(-1)!.frame, 0).value.ethernet.destination).toBe(CLIENT);
    // The speaker's readiness says so (Layer2Adapter.problem), and stops saying so once the socket opens.
    const adapter = new Layer2Adapter(l2);
    expect(adapter.problem()).toMatch(/^Layer 2: no packet socket on eth1 \(CAP_NET_RAW missing\?\)/);
    net.io.openLink = open;
    l2.set(
      new Map([
        ['eth0', ['192.0.2.10']],
        ['eth1', ['192.0.2.11']],
      ]),
    );
    expect([...l2.owned().keys()].sort()).toEqual(['eth0', 'eth1']);
    expect(adapter.problem()).toBeUndefined();
    l2.close();
  });

  it('reports answers with the same fields from the ARP fast path and the decoded path, and counts truncated frames', async () => {
    const net = memoryIo({ eth0: {} });
    const l2 = new Layer2({ clock: new FakeClock(), io: net.io, factsRefreshMs: 0 });
    l2.set(new Map([['eth0', ['192.0.2.10', '2001:db8::10']]]));
    const answered: unknown[] = [];
    net.deliver('eth0', arpRequest('192.0.2.10')); // no listener: answered, counted, no event built
    l2.on('answered', (e) => answered.push(e));
    net.deliver('eth0', arpRequest('192.0.2.10'));
    const ns = encodeL2Frame({
      ethernet: { destination: solicitedNodeMac('2001:db8::10'), source: CLIENT, etherType: 0x86dd },
      payload: {
        kind: 'ndp',
        ndp: {
          trafficClass: 0,
          flowLabel: 0,
          hopLimit: 255,
          source: '2001:db8::1',
          destination: 'ff02::1:ff00:10',
          message: {
            type: 'neighbor-solicitation',
            reserved: 0,
            targetAddress: '2001:db8::10',
            options: [{ kind: 'source-link-layer-address', address: CLIENT }],
          },
        },
      },
    });
    net.deliver('eth0', ns);
    expect(answered).toEqual([
      {
        interface: 'eth0',
        ip: '192.0.2.10',
        family: 'ipv4',
        mac: MAC.eth0,
        requesterMac: CLIENT,
        requesterIp: '192.0.2.1',
        unicast: false,
      },
      {
        interface: 'eth0',
        ip: '2001:db8::10',
        family: 'ipv6',
        mac: MAC.eth0,
        requesterMac: CLIENT,
        requesterIp: '2001:db8::1',
        unicast: false,
      },
    ]);
    // Sent replies are whole ARP replies (42 octets) and an NA, each to the requester.
    const replies = net.sent.slice(-3).map((x) => decodeL2Frame(x.frame, 0).value);
    expect(replies.map((r) => [r.ethernet.destination, r.payload.kind])).toEqual([
      [CLIENT, 'arp'],
      [CLIENT, 'arp'],
      [CLIENT, 'ndp'],
    ]);
    net.deliver('eth0', arpRequest('192.0.2.10'), FRAME_TRUNCATED);
    net.deliver('eth0', arpRequest('192.0.2.10'), FRAME_VLAN_TAGGED);
    net.deliver('eth0', arpRequest('192.0.2.10'), FRAME_OUTGOING);
    expect(await metric(l2, 'metallb_layer2_requests_received')).toContain('{ip="192.0.2.10"} 2');
    expect(await metric(l2, 'metallb_layer2_requests_received')).toContain('{ip="2001:db8::10"} 1');
    const ignored = await metric(l2, 'ferrolb_layer2_ignored_total');
    for (const reason of ['malformed', 'vlan-tagged', 'own-frame']) expect(ignored).toContain(`reason="${reason}"} 1`);
    // Read twice: counts are flushed once, not added again.
    expect(await metric(l2, 'metallb_layer2_requests_received')).toContain('{ip="192.0.2.10"} 2');
    l2.close();
  });
});
