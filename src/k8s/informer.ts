// List + watch of one resource into a local store, with handlers for add/update/delete.
//
// Why not client-node's ListWatch: after a watch error it calls the error handlers and stops; restarting
// it keeps its old resourceVersion and does not relist, so objects deleted while the API server was away
// are never reported. This informer relists after every error (and after 410 Gone), reports the
// difference as add/update/delete, and then tells the owner to resync everything (`onResync`). The
// streaming itself is client-node's `Watch`; list and watch are injected so tests drive them.
import { backoffDelay, type BackoffPolicy } from '../time/index.ts';

export interface KubeObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export interface ListResult<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export interface WatchHandle {
  abort(): void;
}

/** client-node's `Watch.watch` shape. */
export type WatchFn = (
  path: string,
  params: Record<string, string>,
  onEvent: (type: string, obj: unknown) => void,
  onDone: (err: unknown) => void,
) => Promise<WatchHandle>;

export interface InformerLog {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
}

export interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(obj: T, old: T): void;
  onDelete?(obj: T): void;
  /** After a relist that followed an error or 410 Gone (not after the first list). */
  onResync?(): void;
}

export interface InformerOptions<T> {
  /** For logs, e.g. `services`. */
  name: string;
  /** Watch path, e.g. `/api/v1/services`. */
  path: string;
  list: () => Promise<ListResult<T>>;
  watch: WatchFn;
  fieldSelector?: string;
  labelSelector?: string;
  /** A 404 on list (e.g. the metallb.io CRDs are not installed) means "no objects" rather than an error. */
  absentIsEmpty?: boolean;
  /** Applied to every watched object before it is stored (e.g. keep only the fields used); list() trims its own. */
  transform?: (obj: T) => T;
  backoff: BackoffPolicy;
  delay: (ms: number) => Promise<void>;
  now: () => number;
  log: InformerLog;
}

export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

/** The HTTP status of a client-node error (ApiException.code, Watch error statusCode), if any. */
export function httpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** One line about a client-node error: HTTP status, the API's Status message, or the network cause. */
export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const status = httpStatus(err);
    const body = (err as { body?: unknown }).body;
    let apiMessage: string | undefined;
    if (typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string') {
      apiMessage = (body as { message: string }).message;
    } else if (typeof body === 'string') {
      try {
        const parsed = JSON.parse(body) as { message?: unknown };
        if (typeof parsed.message === 'string') apiMessage = parsed.message;
      } catch {
        // not JSON: fall back to the error message
      }
    }
    const cause = (err as { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? `: ${cause.message}` : '';
    const text = apiMessage ?? err.message.split('\n')[0] ?? '';
    // The API's message may quote what was sent (e.g. a huge annotation): bounded for logs and Events.
    const bounded = text.length > 500 ? `${text.slice(0, 500)}… (+${text.length - 500} more characters)` : text;
    return `${status !== undefined ? `HTTP ${status}: ` : ''}${bounded}${causeText}`;
  }
  return String(err);
}

type WatchOutcome = { kind: 'closed'; events: number } | { kind: 'gone' } | { kind: 'error'; err: unknown };

export class Informer<T extends KubeObject> {
  readonly #opts: InformerOptions<T>;
  readonly #handlers: InformerHandlers<T>[] = [];
  #store = new Map<string, T>();
  #resourceVersion = '';
  #stopped = false;
  #handle: WatchHandle | undefined;
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  #loop: Promise<void> | undefined;

  constructor(opts: InformerOptions<T>) {
    this.#opts = opts;
  }

  on(handlers: InformerHandlers<T>): void {
    this.#handlers.push(handlers);
  }

  get(key: string): T | undefined {
    return this.#store.get(key);
  }

  list(): T[] {
    return [...this.#store.values()];
  }

  get synced(): boolean {
    return this.#synced;
  }

  whenSynced(): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve) => this.#syncWaiters.push(resolve));
  }

  start(): void {
    this.#stopped = false;
    this.#loop ??= this.#run().finally(() => (this.#loop = undefined));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#handle?.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let failures = 0;
    let first = true;
    while (!this.#stopped) {
      try {
        await this.#relist(first);
        first = false;
        // Watch from the list's resourceVersion until something forces a relist.
        for (;;) {
          if (this.#stopped) return;
          const started = this.#opts.now();
          const outcome = await this.#watchOnce();
          if (this.#stopped) return;
          if (outcome.kind === 'gone') {
            this.#opts.log.info({ informer: this.#opts.name }, 'watch expired (410 Gone): relisting');
            break;
          }
          if (outcome.kind === 'error') throw outcome.err;
          // A watch the server closes at once without news is as good as a failure: back off.
          if (outcome.events > 0 || this.#opts.now() - started >= 1000) failures = 0;
          else {
            failures++;
            await this.#opts.delay(backoffDelay(this.#opts.backoff, failures));
          }
        }
      } catch (err) {
        if (this.#stopped) return;
        if (this.#opts.absentIsEmpty && httpStatus(err) === 404) {
          this.#replace([], '');
          this.#markSynced();
        }
        failures++;
        const ms = backoffDelay(this.#opts.backoff, failures);
        const status = httpStatus(err);
        const fields = { informer: this.#opts.name, error: errorText(err), retryInMs: ms };
        if (status === 404 && this.#opts.absentIsEmpty) {
          this.#opts.log.info(fields, 'resource not served by the API server (CRD not installed?): treating as empty');
        } else if (status === 403) {
          this.#opts.log.warn(fields, 'list/watch forbidden: check the controller RBAC');
        } else {
          this.#opts.log.warn(fields, 'list/watch failed: reconnecting with backoff, then relisting');
        }
        await this.#opts.delay(ms);
        first = false;
      }
    }
  }

  async #relist(first: boolean): Promise<void> {
    const result = await this.#opts.list();
    if (this.#stopped) return;
    this.#replace(result.items ?? [], result.metadata?.resourceVersion ?? '');
    this.#markSynced();
    if (!first) for (const h of this.#handlers) h.onResync?.();
  }

  #replace(items: T[], resourceVersion: string): void {
    const old = this.#store;
    const next = new Map<string, T>();
    for (const item of items) next.set(objectKey(item), item);
    this.#store = next;
    this.#resourceVersion = resourceVersion;
    for (const [key, obj] of old) {
      if (!next.has(key)) for (const h of this.#handlers) h.onDelete?.(obj);
    }
    for (const [key, obj] of next) {
      const before = old.get(key);
      if (before === undefined) for (const h of this.#handlers) h.onAdd?.(obj);
      else if (before.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
        for (const h of this.#handlers) h.onUpdate?.(obj, before);
    }
  }

  #markSynced(): void {
    if (this.#synced) return;
    this.#synced = true;
    const waiters = this.#syncWaiters;
    this.#syncWaiters = [];
    for (const w of waiters) w();
  }

  #apply(type: string, obj: T): void {
    const key = objectKey(obj);
    if (obj.metadata?.resourceVersion) this.#resourceVersion = obj.metadata.resourceVersion;
    if (type === 'ADDED' || type === 'MODIFIED') {
      const before = this.#store.get(key);
      this.#store.set(key, obj);
      if (before === undefined) for (const h of this.#handlers) h.onAdd?.(obj);
      else if (before.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
        for (const h of this.#handlers) h.onUpdate?.(obj, before);
    } else if (type === 'DELETED') {
      const before = this.#store.get(key);
      this.#store.delete(key);
      for (const h of this.#handlers) h.onDelete?.(before ?? obj);
    }
  }

  #watchOnce(): Promise<WatchOutcome> {
    return new Promise((resolve) => {
      let events = 0;
      let gone = false;
      let failure: unknown;
      let settled = false;
      const finish = (err: unknown): void => {
        if (settled) return;
        settled = true;
        this.#handle = undefined;
        if (gone) resolve({ kind: 'gone' });
        else if (failure !== undefined) resolve({ kind: 'error', err: failure });
        // The client's inactivity timeout on a quiet watch is a normal end: resume from our resourceVersion.
        else if (
          err &&
          !(err instanceof Error && err.name === 'TimeoutError') &&
          !(err instanceof DOMException && err.name === 'TimeoutError')
        )
          resolve({ kind: 'error', err });
        else resolve({ kind: 'closed', events });
      };
      const params: Record<string, string> = {
        resourceVersion: this.#resourceVersion,
        allowWatchBookmarks: 'true',
        timeoutSeconds: '300',
      };
      if (this.#opts.fieldSelector !== undefined) params.fieldSelector = this.#opts.fieldSelector;
      if (this.#opts.labelSelector !== undefined) params.labelSelector = this.#opts.labelSelector;
      const onEvent = (type: string, raw: unknown): void => {
        const obj = raw as T & { code?: number; message?: string };
        if (type === 'ERROR') {
          if (obj?.code === 410) gone = true;
          else
            failure = Object.assign(new Error(`watch error event: ${obj?.message ?? 'unknown'}`), { code: obj?.code });
          return;
        }
        if (type === 'BOOKMARK') {
          if (obj?.metadata?.resourceVersion) this.#resourceVersion = obj.metadata.resourceVersion;
          return;
        }
        events++;
        this.#apply(type, this.#opts.transform && obj ? this.#opts.transform(obj) : obj);
      };
      this.#opts.watch(this.#opts.path, params, onEvent, finish).then(
        (handle) => {
          if (settled) return;
          this.#handle = handle;
          if (this.#stopped) handle.abort();
        },
        (err) => finish(err ?? new Error('watch failed')),
      );
    });
  }
}
