import { describe, expect, it } from 'vitest';
import { parseConfigMap, type Peer } from '../../../src/config/index.ts';
import { resolveSwimConfig } from '../../../src/memberlist/core/index.ts';
import {
  DEFAULT_SPEAKER_FLAGS,
  FAST_MEMBERLIST_TUNING,
  parseSpeakerFlags,
  SPEAKER_USAGE,
} from '../../../src/speaker/flags.ts';
import {
  joinAddresses,
  nodesWithReadySpeaker,
  peerPassword,
  secretValue,
  type SecretLike,
} from '../../../src/speaker/pods.ts';

describe('parseSpeakerFlags', () => {
  it('takes the node name, Pod and namespace from the downward API environment', () => {
    const r = parseSpeakerFlags([], { NODE_NAME: 'n1', POD_NAME: 'speaker-x', POD_NAMESPACE: 'lb' });
    expect(r).toEqual({
      ok: true,
      flags: { ...DEFAULT_SPEAKER_FLAGS, nodeName: 'n1', podName: 'speaker-x', namespace: 'lb' },
    });
  });

  it('reads flags in both forms, the flag winning over the environment', () => {
    const r = parseSpeakerFlags(
      ['--node-name=n2', '--metrics-port', '0', '--lb-class', 'x', '--ignore-exclude-lb', '--membership=pods'],
      {
        NODE_NAME: 'n1',
      },
    );
    expect(r.ok && r.flags).toMatchObject({
      nodeName: 'n2',
      metricsPort: 0,
      lbClass: 'x',
      ignoreExcludeLb: true,
      membership: 'pods',
    });
  });

  it.each([
    [[], /no node name/],
    [['--node-name', 'n', '--metrics-port', '70000'], /--metrics-port: "70000" is not an integer in 0..65535/],
    [['--node-name', 'n', '--membership', 'carrier-pigeon'], /--membership: "carrier-pigeon"/],
    [['--node-name', 'n', '--graceful-restart', '120'], /--graceful-restart needs --state-dir/],
    [['--node-name', 'n', '--bogus'], /Unknown option '--bogus'/],
    [['--node-name', 'n', '--ipvs-scheduler', 'fifo'], /--ipvs-scheduler: .*fifo/],
    [['--node-name', 'n', '--ipvs-interface', 'a-very-long-interface'], /--ipvs-interface: "a-very-long-interface"/],
    [['--node-name', 'n', '--ipvs-resync', '0'], /--ipvs-resync: "0" is not an integer in 1..86400/],
    [['--node-name', 'n', 'stray'], /positional argument/],
    [['--node-name', 'n', '--memberlist-profile', 'turbo'], /--memberlist-profile: "turbo" is not default or fast/],
    [['--node-name', 'n', '--memberlist-probe-interval-ms', '5'], /--memberlist-probe-interval-ms: "5" is not an/],
    [['--node-name', 'n', '--memberlist-suspicion-max-mult', '0.5'], /--memberlist-suspicion-max-mult: "0.5"/],
    [
      ['--node-name', 'n', '--memberlist-probe-timeout-ms', '150'],
      /--memberlist-probe-timeout-ms \(150\) and --memberlist-probe-interval-ms \(150\): the timeout must be below/,
    ],
    [
      ['--node-name', 'n', '--memberlist-profile', 'fast', '--memberlist-probe-timeout-ms', '60'],
      /timeout-ms \(60\) and --memberlist-probe-interval-ms \(40\)/,
    ],
  ])('rejects %j with a message naming the flag', (argv, re) => {
    const r = parseSpeakerFlags(argv, {});
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(re);
  });

  it('keeps the gossip defaults unless a profile or a timing flag is given; single flags override the profile', () => {
    const d = parseSpeakerFlags(['--node-name', 'n']);
    expect(d.ok && d.flags.memberlistTuning).toEqual({});
    const fast = parseSpeakerFlags(['--node-name', 'n', '--memberlist-profile', 'fast']);
    expect(fast.ok && fast.flags.memberlistTuning).toEqual(FAST_MEMBERLIST_TUNING);
    const mixed = parseSpeakerFlags([
      '--node-name=n',
      '--memberlist-profile=fast',
      '--memberlist-suspicion-min-ms=120',
      '--memberlist-gossip-interval-ms=30',
    ]);
    expect(mixed.ok && mixed.flags.memberlistTuning).toEqual({
      ...FAST_MEMBERLIST_TUNING,
      suspicionMinMs: 120,
      gossipIntervalMs: 30,
    });
    const one = parseSpeakerFlags(['--node-name=n', '--memberlist-probe-interval-ms=100']);
    expect(one.ok && one.flags.memberlistTuning).toEqual({ probeIntervalMs: 100 });
    // Whatever the flags allow, src/memberlist accepts (its own check runs only when gossip starts).
    const swim = resolveSwimConfig({
      name: 'n',
      addr: { ip: '192.0.2.1', port: 7946 },
      ...(fast.ok ? fast.flags.memberlistTuning : {}),
    });
    expect(swim).toMatchObject(FAST_MEMBERLIST_TUNING);
  });

  it("IPVS is on by default with kube-proxy's names; every setting has a flag", () => {
    const d = parseSpeakerFlags(['--node-name', 'n']);
    expect(d.ok && d.flags).toMatchObject({
      disableIpvs: false,
      ipvsInterface: 'kube-ipvs0',
      ipvsScheduler: 'rr',
      ipvsDrainTimeout: 60,
      ipvsResync: 60,
    });
    const r = parseSpeakerFlags([
      '--node-name=n',
      '--disable-ipvs',
      '--ipvs-interface=lb0',
      '--ipvs-scheduler=Maglev-Hashing',
      '--ipvs-drain-timeout=5',
      '--ipvs-resync=30',
      '--ipvs-no-firewall',
      '--ipvs-no-masquerade',
      '--ipvs-no-sysctls',
    ]);
    expect(r.ok && r.flags).toMatchObject({
      disableIpvs: true,
      ipvsInterface: 'lb0',
      ipvsScheduler: 'mh',
      ipvsDrainTimeout: 5,
      ipvsResync: 30,
      ipvsNoFirewall: true,
      ipvsNoMasquerade: true,
      ipvsNoSysctls: true,
    });
  });

  it("releases the start's code pages 5 s after ready unless told otherwise", () => {
    const d = parseSpeakerFlags(['--node-name', 'n']);
    expect(d.ok && d.flags.releaseStartupPages).toBe(5);
    const never = parseSpeakerFlags(['--node-name', 'n', '--release-startup-pages', '0']);
    expect(never.ok && never.flags.releaseStartupPages).toBe(0);
    const bad = parseSpeakerFlags(['--node-name', 'n', '--release-startup-pages', 'soon']);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toContain('--release-startup-pages');
  });

  it('has a real --help', () => {
    expect(parseSpeakerFlags(['--help'])).toEqual({ ok: false, message: SPEAKER_USAGE, help: true });
    for (const flag of Object.keys(DEFAULT_SPEAKER_FLAGS)) {
      // The gossip timings are one setting with a flag per value (and a profile).
      const kebab =
        flag === 'memberlistTuning' ? 'memberlist-profile' : flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      expect(SPEAKER_USAGE).toContain(`--${kebab}`);
    }
    for (const key of Object.keys(FAST_MEMBERLIST_TUNING)) {
      const kebab = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      expect(SPEAKER_USAGE).toContain(`--memberlist-${kebab} N`);
    }
  });
});

const pod = (name: string, node: string, ip: string, ready: boolean, phase = 'Running') => ({
  metadata: { name },
  spec: { nodeName: node },
  status: { phase, podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

describe('speaker Pods and Secrets', () => {
  const pods = [
    pod('a', 'n1', '192.0.2.1', true),
    pod('b', 'n2', '192.0.2.2', false),
    pod('c', 'n3', '2001:db8::3', true),
    pod('d', 'n4', '192.0.2.4', true, 'Pending'),
  ];

  it('joins the other running speakers, and counts the Ready ones alive', () => {
    expect(joinAddresses(pods, 'n1', 7946)).toEqual(['192.0.2.2:7946', '[2001:db8::3]:7946']);
    expect([...nodesWithReadySpeaker(pods, 'n2')].sort()).toEqual(['n1', 'n3']); // its own Pod is not Ready
    expect([...nodesWithReadySpeaker(pods, 'n9')].sort()).toEqual(['n1', 'n3', 'n9']); // no Pod known: itself
  });

  it('reads the memberlist key and BGP passwords, saying why one is missing', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const secrets: SecretLike[] = [
      { metadata: { name: 'memberlist' }, data: { secretkey: b64('k') } },
      { metadata: { name: 'bgp-auth' }, type: 'kubernetes.io/basic-auth', data: { password: b64('s3cret') } },
      { metadata: { name: 'opaque' }, type: 'Opaque', data: { password: b64('x') } },
    ];
    expect(Buffer.from(secretValue(secrets, 'memberlist', 'secretkey')!).toString()).toBe('k');
    expect(secretValue(secrets, 'nope', 'secretkey')).toBeUndefined();
    const r = parseConfigMap('peers: [{peer-address: 192.0.2.9, peer-asn: 1, my-asn: 2}]', 'cm');
    if (!r.ok) throw new Error('fixture');
    const peer = (name: string, ns?: string): Peer => ({
      ...r.config.peers[0]!,
      passwordSecret: { name, ...(ns ? { namespace: ns } : {}) },
    });
    expect(peerPassword(secrets, peer('bgp-auth'), 'lb')).toEqual({ password: 's3cret' });
    expect(peerPassword(secrets, peer('gone'), 'lb').problem).toMatch(/passwordSecret lb\/gone not found/);
    expect(peerPassword(secrets, peer('opaque'), 'lb').problem).toMatch(/type Opaque, not kubernetes.io\/basic-auth/);
    expect(peerPassword(secrets, peer('bgp-auth', 'other'), 'lb').problem).toMatch(/outside the speaker's namespace/);
  });
});
