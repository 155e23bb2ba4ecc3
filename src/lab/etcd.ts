// etcd for one test cluster: a single member on loopback, data in the cluster's temp dir, no fsync
// (throwaway data; --unsafe-no-fsync keeps 2 shared cores from waiting on the disk).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { logTail, startDaemon, type Daemon } from './daemon.ts';
import { freeLoopbackPorts } from './free-port.ts';
import { waitFor } from './poll.ts';

export interface Etcd {
  daemon: Daemon;
  /** http://127.0.0.1:<port>, for --etcd-servers. */
  clientUrl: string;
}

export interface EtcdOptions {
  binary: string;
  dir: string;
  readyTimeoutMs: number;
}

const MAX_PORT_ATTEMPTS = 3;

export async function startEtcd(opts: EtcdOptions): Promise<Etcd> {
  const dataDir = join(opts.dir, 'etcd-data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const logPath = join(opts.dir, 'etcd.log');
  for (let attempt = 1; ; attempt++) {
    const [clientPort, peerPort] = await freeLoopbackPorts(2);
    const clientUrl = `http://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const daemon = startDaemon(
      'etcd',
      opts.binary,
      [
        '--name=ferrolb-test',
        `--data-dir=${dataDir}`,
        `--listen-client-urls=${clientUrl}`,
        `--advertise-client-urls=${clientUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=ferrolb-test=${peerUrl}`,
        '--initial-cluster-state=new',
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      logPath,
    );
    try {
      await waitFor(
        async () => {
          const res = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(2_000) });
          return res.ok && ((await res.json()) as { health?: unknown }).health === 'true';
        },
        {
          what: `etcd to report healthy at ${clientUrl}`,
          timeoutMs: opts.readyTimeoutMs,
          abort: daemon.exited,
          diagnostics: () => logTail(logPath),
        },
      );
      return { daemon, clientUrl };
    } catch (err) {
      await daemon.stop();
      const lostPortRace = /address already in use/.test(logTail(logPath, 20));
      if (!lostPortRace || attempt >= MAX_PORT_ATTEMPTS) throw err;
    }
  }
}
