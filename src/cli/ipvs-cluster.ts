// `ferrolb ipvs --kubeconfig PATH` / `--cluster`: the desired state from a live cluster. Lists and watches
// Services and EndpointSlices (all namespaces, over the project's REST client and informers), converts each
// API object once (KubeInputCache, so the syncer rebuilds only what changed), and syncs after every change,
// debounced: the first change opens a window of `debounceMs`, and one sync at its end takes everything
// that arrived meanwhile. Runs until SIGTERM/SIGINT (or after the first sync with `once`).
import type { Logger } from '../log/index.ts';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { KubeInputCache, type IpvsSyncer, type SyncResult } from '../ipvs/index.ts';
import { Informer, type KubeObject } from '../k8s/informer.ts';
import { loadKubeTarget } from '../k8s/kubeconfig.ts';
import { listAll } from '../k8s/resources.ts';
import { KubeRest } from '../k8s/rest.ts';
import { WATCH_BACKOFF } from '../k8s/watch-backoff.ts';
import { systemClock, type Timer } from '../time/index.ts';
import type { CliIo } from './io.ts';

export interface ClusterSource {
  /** --kubeconfig; undefined: in-cluster ServiceAccount, then $KUBECONFIG, then ~/.kube/config. */
  kubeconfig: string | undefined;
  debounceMs: number;
  once: boolean;
}

export async function syncFromCluster(
  src: ClusterSource,
  syncer: IpvsSyncer,
  io: CliIo,
  log: Logger,
  asked: (r: SyncResult) => boolean,
): Promise<number> {
  let rest: KubeRest;
  try {
    rest = new KubeRest(loadKubeTarget(src.kubeconfig), { now: systemClock.now });
  } catch (err) {
    io.stderr(`ferrolb ipvs: ${(err as Error).message}\n`);
    return 1;
  }
  const stopping = new AbortController();
  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = systemClock.setTimer(ms, resolve, { unref: true });
      stopping.signal.addEventListener('abort', () => (t.cancel(), resolve()), { once: true });
    });
  const rt = { watch: rest.watch, backoff: WATCH_BACKOFF, delay, now: systemClock.now, log };
  const informer = <T extends KubeObject>(name: string, path: string): Informer<T> =>
    new Informer<T>({ ...rt, name, path, list: () => listAll<T>(rest, path, {}) });
  const services = informer<V1Service>('services', '/api/v1/services');
  const slices = informer<V1EndpointSlice>('endpointslices', '/apis/discovery.k8s.io/v1/endpointslices');
  const cache = new KubeInputCache();
  let printed = new Set<string>();
  let ok = true;

  const syncNow = async (): Promise<void> => {
    const { input, problems } = cache.convert(services.list(), slices.list());
    // An object's problem is printed when it first appears, not on every sync.
    const now = new Set(problems.map((p) => `${p.object}: ${p.message}`));
    for (const p of now) if (!printed.has(p)) io.stderr(`ferrolb ipvs: ${p}\n`);
    printed = now;
    ok = asked(await syncer.sync(input)) && ok;
  };

  let window: Timer | undefined;
  let running: Promise<void> = Promise.resolve();
  const changed = (what: string, obj: KubeObject): void => {
    log.info({ change: what, object: `${obj.metadata?.namespace}/${obj.metadata?.name}` }, 'ipvs input changed');
    if (window || stopping.signal.aborted) return;
    window = systemClock.setTimer(src.debounceMs, () => {
      window = undefined;
      running = running.then(syncNow);
    });
  };
  for (const [kind, inf] of [
    ['Service', services],
    ['EndpointSlice', slices],
  ] as const) {
    (inf as Informer<KubeObject>).on({
      onAdd: (o) => changed(`${kind} added`, o),
      onUpdate: (o) => changed(`${kind} updated`, o),
      onDelete: (o) => changed(`${kind} deleted`, o),
      onResync: () => changed(`${kind} relisted`, {}),
    });
  }
  services.start();
  slices.start();
  const stopAll = async (): Promise<void> => {
    stopping.abort();
    window?.cancel();
    await Promise.all([services.stop(), slices.stop()]);
    await running;
    await syncer.stop();
  };
  const onStop = (): void => void finish(0);
  let finish: (code: number) => Promise<void> = async () => {};
  const done = new Promise<number>((resolve) => {
    let over = false;
    finish = async (code) => {
      if (over) return;
      over = true;
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
      await stopAll();
      resolve(code);
    };
  });
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  await Promise.race([Promise.all([services.whenSynced(), slices.whenSynced()]), done]);
  if (stopping.signal.aborted) return done;
  // The events of the first list opened a window; the first sync runs now, with everything listed.
  window?.cancel();
  window = undefined;
  running = running.then(syncNow);
  await running;
  if (src.once) await finish(ok ? 0 : 1);
  return done;
}
