// tcpdump inside a namespace writing a pcap of the BGP port, started before a session and stopped
// (flushed) after it, then read back with readPcap.
import { join } from 'node:path';
import type { Lab } from './netns.ts';
import { readPcap, type TcpFlow } from './pcap.ts';
import { waitFor } from '../poll.ts';

export class Capture {
  readonly lab: Lab;
  readonly file: string;
  private readonly daemon;

  private constructor(lab: Lab, file: string, daemon: ReturnType<Lab['spawn']>) {
    this.lab = lab;
    this.file = file;
    this.daemon = daemon;
  }

  static async start(lab: Lab, ns: string, ifname = 'veth0', filter = 'tcp port 179'): Promise<Capture> {
    const file = join(lab.tmpDir('pcap'), 'bgp.pcap');
    // -U + --immediate-mode: hand over and write each packet at once (else the last ring block can be
    // lost at stop); -B: a 64 MiB kernel buffer so 50,000-route bursts are not dropped; -Z root: keep
    // permission to write the private temp dir.
    const d = lab.spawn('tcpdump', ns, [
      'tcpdump',
      '-i',
      ifname,
      '-n',
      '-s',
      '0',
      '-U',
      '--immediate-mode',
      '-B',
      '65536',
      '-Z',
      'root',
      '-w',
      file,
      filter,
    ]);
    await waitFor(() => d.output().includes('listening on'), {
      what: `tcpdump listening on ${ifname}`,
      timeoutMs: 10_000,
      intervalMs: 20,
      diagnostics: () => d.output(),
    });
    return new Capture(lab, file, d);
  }

  /** Stops the capture (SIGINT flushes the file) and returns the TCP flows in it. */
  async stop(): Promise<TcpFlow[]> {
    await this.lab.stop(this.daemon, 'SIGINT');
    if (process.env['FLB_DEBUG_CAPTURE']) console.error(this.daemon.output());
    return readPcap(this.file);
  }
}
