import { describe, expect, it } from 'vitest';
import { DEFAULT_FLAGS, parseFlags } from '../../../src/cli/controller-flags.ts';

describe('parseFlags', () => {
  it('gives MetalLB-like defaults', () => {
    expect(parseFlags([])).toEqual({ ok: true, flags: DEFAULT_FLAGS });
    expect(DEFAULT_FLAGS.metricsPort).toBe(7472);
  });

  it('reads both --flag value and --flag=value', () => {
    const r = parseFlags(['--kubeconfig', '/tmp/kc', '--lb-class=ferrolb.io/lb', '--metrics-port', '0', '--workers=3']);
    expect(r).toEqual({
      ok: true,
      flags: { ...DEFAULT_FLAGS, kubeconfig: '/tmp/kc', lbClass: 'ferrolb.io/lb', metricsPort: 0, workers: 3 },
    });
  });

  it('reads the leader election flags (client-go style durations)', () => {
    const r = parseFlags([
      '--leader-elect=false',
      '--leader-elect-lease-duration=6s',
      '--leader-elect-renew-deadline',
      '4s',
      '--leader-elect-retry-period=500ms',
      '--leader-elect-resource-namespace=x',
    ]);
    expect(r).toEqual({
      ok: true,
      flags: {
        ...DEFAULT_FLAGS,
        leaderElect: false,
        leaseDurationMs: 6000,
        renewDeadlineMs: 4000,
        retryPeriodMs: 500,
        leaseNamespace: 'x',
      },
    });
  });

  it.each([
    [['--leader-elect', 'maybe'], /--leader-elect: "maybe" is not true or false/],
    [['--leader-elect-lease-duration', '15 minutes'], /--leader-elect-lease-duration: "15 minutes" is not a duration/],
    [['--metrics-port', '70000'], /--metrics-port: "70000" is not an integer in 0..65535/],
    [['--workers', 'many'], /--workers: "many"/],
    [['--kubeconfig'], /--kubeconfig needs a value/],
    [['--bogus', 'x'], /unknown option --bogus/],
    [['stray'], /unexpected argument "stray"/],
    [['--log-level', 'loud'], /--log-level: "loud"/],
  ])('rejects %j with a message naming the flag', (argv, re) => {
    const r = parseFlags(argv);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(re);
  });

  it('--help and -h give the usage as help (exit 0), not as an error', () => {
    for (const h of ['--help', '-h']) {
      const r = parseFlags([h]);
      expect(r).toMatchObject({ ok: false, help: true });
      if (!r.ok) expect(r.message).toMatch(/^usage: controller\/main.ts/);
    }
  });
});
