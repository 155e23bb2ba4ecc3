// Ties a BFD session (src/bgp/bfd) to a BGP session: BFD runs while BGP is Established (from the
// connection's own local address to the peer); when BFD goes from Up to Down, the BGP session is torn
// down at once (RFC 5882 §10.2) instead of waiting for the hold timer.
import type { Logger } from '../../log/index.ts';
import type { BfdProfile } from '../../config/model.ts';
import type { BfdSessionOptions, BfdStateChange } from '../bfd/index.ts';
import type { BgpSession, StateChange } from '../session/session.ts';

export interface BfdLike {
  on(event: 'down', fn: (c: BfdStateChange) => void): unknown;
  on(event: 'up', fn: (c: BfdStateChange) => void): unknown;
  start(): Promise<void>;
  stop(): void;
}

export type BfdFactory = (opts: BfdSessionOptions) => BfdLike;

export const defaultBfdFactory = async (): Promise<BfdFactory> => {
  const { BfdSession } = await import('../bfd/index.ts');
  return (opts) => new BfdSession(opts);
};

export function linkBfd(
  session: BgpSession,
  profile: BfdProfile,
  factory: () => Promise<BfdFactory>,
  log: Logger,
  device?: string,
  onChange?: (state: 'up' | 'down', diag: string) => void,
): { dispose(): void } {
  let bfd: BfdLike | undefined;
  let generation = 0;
  const stopBfd = (): void => {
    generation++;
    bfd?.stop();
    bfd = undefined;
  };
  const onState = (c: StateChange): void => {
    if (c.state !== 'Established') {
      if (c.previous === 'Established') stopBfd();
      return;
    }
    const local = session.localAddress;
    if (local === undefined) return;
    const mine = ++generation;
    void factory()
      .then((make) => {
        if (mine !== generation) return;
        const b = make({ local, peer: session.peerAddress, profile, ...(device !== undefined ? { device } : {}) });
        bfd = b;
        b.on('up', (u) => {
          log.info({ event: 'bfd-up', peer: session.peer }, 'BFD up');
          onChange?.('up', u.diagName);
        });
        b.on('down', (d) => {
          onChange?.('down', d.diagName);
          log.warn(
            { event: 'bfd-down', peer: session.peer, diag: d.diagName },
            'BFD down: tearing the BGP session down',
          );
          session.bfdDown();
        });
        return b.start();
      })
      .catch((err: unknown) =>
        log.error({ event: 'bfd-error', peer: session.peer, err: String(err) }, 'BFD could not start'),
      );
  };
  session.on('state', onState);
  return {
    dispose() {
      session.off('state', onState);
      stopBfd();
    },
  };
}
