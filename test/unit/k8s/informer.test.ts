import { describe, expect, it } from 'vitest';
import { Informer, objectKey, type KubeObject, type ListResult, type WatchFn } from '../../../src/k8s/informer.ts';

interface Obj extends KubeObject {
  data?: string;
}

const obj = (name: string, rv: string, data = ''): Obj => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv },
  data,
});

/** A scripted API server: lists answer from `lists`, each watch hands its callbacks to the test. */
class FakeApi {
  lists: (ListResult<Obj> | Error)[] = [];
  watches: {
    params: Record<string, string>;
    onEvent: (t: string, o: unknown) => void;
    onDone: (e: unknown) => void;
    aborted: boolean;
  }[] = [];
  delays: number[] = [];
  listCalls = 0;
  #tick = 0;
  list = async (): Promise<ListResult<Obj>> => {
    this.listCalls++;
    const next = this.lists.shift();
    if (next === undefined) throw new Error('test: no list scripted');
    if (next instanceof Error) throw next;
    return next;
  };
  watch: WatchFn = async (_path, params, onEvent, onDone) => {
    const w = { params, onEvent, onDone, aborted: false };
    this.watches.push(w);
    return { abort: () => void ((w.aborted = true), onDone(null)) };
  };
  delay = async (ms: number): Promise<void> => void this.delays.push(ms);
  now = (): number => (this.#tick += 5000); // every watch "lasts" long enough not to count as a failure
}

const quietLog = { info: () => {}, warn: () => {} };

function makeInformer(api: FakeApi, absentIsEmpty = false): { inf: Informer<Obj>; log: string[] } {
  const inf = new Informer<Obj>({
    name: 'things',
    path: '/api/v1/things',
    list: api.list,
    watch: api.watch,
    backoff: { baseMs: 100, maxMs: 800 },
    delay: api.delay,
    now: api.now,
    log: quietLog,
    absentIsEmpty,
  });
  const log: string[] = [];
  inf.on({
    onAdd: (o) => log.push(`add ${objectKey(o)} ${o.data}`),
    onUpdate: (o, old) => log.push(`update ${objectKey(o)} ${old.data}->${o.data}`),
    onDelete: (o) => log.push(`delete ${objectKey(o)}`),
    onResync: () => log.push('resync'),
  });
  return { inf, log };
}

/** Lets the informer's async loop run until it is waiting on the fake again. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
};

describe('Informer', () => {
  it('lists, reports adds, becomes synced and watches from the list resourceVersion', async () => {
    const api = new FakeApi();
    api.lists.push({ items: [obj('a', '1', 'x'), obj('b', '2', 'y')], metadata: { resourceVersion: '10' } });
    const { inf, log } = makeInformer(api);
    inf.start();
    await inf.whenSynced();
    await settle();
    expect(log).toEqual(['add ns/a x', 'add ns/b y']);
    expect(api.watches).toHaveLength(1);
    expect(api.watches[0]!.params.resourceVersion).toBe('10');
    expect(inf.list().map(objectKey).sort()).toEqual(['ns/a', 'ns/b']);
    await inf.stop();
  });

  it('applies watch events and resumes from the last resourceVersion after a normal close', async () => {
    const api = new FakeApi();
    api.lists.push({ items: [obj('a', '1', 'x')], metadata: { resourceVersion: '10' } });
    const { inf, log } = makeInformer(api);
    inf.start();
    await inf.whenSynced();
    await settle();
    const w = api.watches[0]!;
    w.onEvent('MODIFIED', obj('a', '11', 'x2'));
    w.onEvent('ADDED', obj('c', '12', 'z'));
    w.onEvent('BOOKMARK', { metadata: { resourceVersion: '13' } });
    w.onEvent('DELETED', obj('a', '14', 'x2'));
    w.onDone(null);
    await settle();
    expect(log).toEqual(['add ns/a x', 'update ns/a x->x2', 'add ns/c z', 'delete ns/a']);
    expect(api.watches).toHaveLength(2);
    expect(api.watches[1]!.params.resourceVersion).toBe('14');
    expect(api.listCalls).toBe(1);
    await inf.stop();
  });

  it('after a watch error, backs off, relists, reports what changed meanwhile and asks for a resync', async () => {
    const api = new FakeApi();
    api.lists.push({ items: [obj('a', '1', 'x'), obj('b', '2', 'y')], metadata: { resourceVersion: '10' } });
    api.lists.push(new Error('connect ECONNREFUSED 127.0.0.1:6443'));
    api.lists.push({ items: [obj('b', '2', 'y'), obj('c', '30', 'new')], metadata: { resourceVersion: '31' } });
    const { inf, log } = makeInformer(api);
    inf.start();
    await inf.whenSynced();
    await settle();
    api.watches[0]!.onDone(new Error('socket hang up'));
    await settle();
    await settle();
    expect(api.delays).toEqual([100, 200]);
    expect(log).toEqual(['add ns/a x', 'add ns/b y', 'delete ns/a', 'add ns/c new', 'resync']);
    expect(api.watches.at(-1)!.params.resourceVersion).toBe('31');
    await inf.stop();
  });

  it('relists at once on 410 Gone, without backoff', async () => {
    const api = new FakeApi();
    api.lists.push({ items: [obj('a', '1', 'x')], metadata: { resourceVersion: '10' } });
    api.lists.push({ items: [obj('a', '5', 'x5')], metadata: { resourceVersion: '50' } });
    const { inf, log } = makeInformer(api);
    inf.start();
    await inf.whenSynced();
    await settle();
    api.watches[0]!.onEvent('ERROR', { kind: 'Status', code: 410, message: 'too old resource version' });
    api.watches[0]!.onDone(null);
    await settle();
    expect(api.delays).toEqual([]);
    expect(api.listCalls).toBe(2);
    expect(log).toEqual(['add ns/a x', 'update ns/a x->x5', 'resync']);
    await inf.stop();
  });

  it('treats a 404 on list as an empty, synced resource when absentIsEmpty is set', async () => {
    const api = new FakeApi();
    api.lists.push(Object.assign(new Error('Not Found'), { code: 404 }));
    const { inf, log } = makeInformer(api, true);
    inf.start();
    await inf.whenSynced();
    expect(inf.list()).toEqual([]);
    expect(log).toEqual([]);
    await inf.stop();
  });

  it('stays unsynced while the list keeps failing, backing off up to the cap', async () => {
    const api = new FakeApi();
    for (let i = 0; i < 6; i++) api.lists.push(Object.assign(new Error('Forbidden'), { code: 403 }));
    api.lists.push({ items: [], metadata: { resourceVersion: '1' } });
    const { inf } = makeInformer(api);
    inf.start();
    await settle();
    await settle();
    await inf.whenSynced();
    expect(api.delays).toEqual([100, 200, 400, 800, 800, 800]);
    await inf.stop();
  });
});

describe('errorText', () => {
  it('prefers the API Status message carried in the body', async () => {
    const { errorText } = await import('../../../src/k8s/informer.ts');
    const e = Object.assign(new Error('HTTP-Code: 403\nMessage: Unknown API Status Code!'), {
      code: 403,
      body: JSON.stringify({
        kind: 'Status',
        message: 'services is forbidden: User "x" cannot list resource "services"',
      }),
    });
    expect(errorText(e)).toBe('HTTP 403: services is forbidden: User "x" cannot list resource "services"');
    expect(errorText(new Error('socket hang up', { cause: new Error('ECONNRESET') }))).toBe(
      'socket hang up: ECONNRESET',
    );
  });
});
