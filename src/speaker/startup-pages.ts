// Releases the pages of node's executable that only the speaker's start ran. A start maps ~40 MiB of
// the node binary — V8's deserializer, the bootstrap, the sources and code caches of Node's built-in
// modules, ICU's lookups — and an idle speaker runs ~20 MiB of it again; the rest stays in its page tables
// (and its VmRSS) for good. Once the speaker is ready and a little after, this asks the native addon
// (src/native/code-pages.cc) to drop the executable's clean pages from this process's page tables: what
// runs again maps again from the page cache on its first touch (a minor fault, no disk read), and what
// never runs again is the kernel's to reclaim. Once only: later one-off work (the BGP speaker, loaded
// when the first BGPPeer appears) keeps its pages.
import type { Clock, Timer } from '../time/index.ts';

export interface ReleasedPages {
  /** Mappings released, and the resident bytes they held. */
  mappings: number;
  bytes: number;
}

export interface StartupPagesDeps {
  clock: Clock;
  /** The release itself (the addon's releaseExecutablePages). */
  release(): ReleasedPages;
  onRelease(r: ReleasedPages): void;
  /** The release failed (no addon, no /proc): the speaker goes on with its pages mapped. */
  onError(err: unknown): void;
}

/** Releases once, `delayMs` from now; 0 never does. The timer does not keep the process alive. */
export function releaseStartupPagesLater(deps: StartupPagesDeps, delayMs: number): Timer | undefined {
  if (delayMs <= 0) return undefined;
  return deps.clock.setTimer(
    delayMs,
    () => {
      let released: ReleasedPages;
      try {
        released = deps.release();
      } catch (err) {
        deps.onError(err);
        return;
      }
      deps.onRelease(released);
    },
    { unref: true },
  );
}
