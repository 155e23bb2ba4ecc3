// A small Kubernetes REST client: JSON requests and watches over one keep-alive connection pool, plain
// JSON objects in and out (no model classes, no Date revival). The controller needs a handful of calls
// (list/watch, status PUT, Event POST, Lease get/create/update); this costs it a few hundred lines
// instead of @kubernetes/client-node's ~50 MiB of RSS at import time. Errors carry the HTTP status as
// `code` and the API's Status object as `body`, like client-node's ApiException (httpStatus/errorText
// read both).
import { readFileSync } from 'node:fs';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { nodeHttp, nodeHttps } from './node-http.ts';
import type { WatchFn, WatchHandle } from './informer.ts';
import type { KubeTarget } from './kubeconfig.ts';

const { Agent: HttpAgent, request: httpRequest } = nodeHttp;
const { Agent: HttpsAgent, request: httpsRequest } = nodeHttps;
type HttpAgent = InstanceType<typeof HttpAgent>;

export class ApiError extends Error {
  readonly code: number;
  readonly body: unknown;
  constructor(code: number, body: unknown, what: string) {
    const message =
      typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
        ? (body as { message: string }).message
        : String(body).slice(0, 300);
    super(`${what}: HTTP ${code}: ${message}`);
    this.name = 'ApiError';
    this.code = code;
    this.body = body;
  }
}

export interface RestOptions {
  /** Concurrent requests (not watches) to the API server. */
  maxSockets?: number;
  /** A request (not a watch) that takes longer fails, so nothing waits for ever on a frozen server. */
  requestTimeoutMs?: number;
  /** Monotonic milliseconds, for re-reading the token file. */
  now: () => number;
}

const TOKEN_REREAD_MS = 60_000; // client-go re-reads a token file once a minute
const WATCH_IDLE_MS = 330_000; // the server ends a watch after timeoutSeconds=300; a silent socket past that is dead

export interface RestRequest {
  query?: Record<string, string>;
  body?: unknown;
}

export class KubeRest {
  readonly server: string;
  readonly #target: KubeTarget;
  readonly #opts: Required<RestOptions>;
  readonly #agent: HttpAgent;
  readonly #watchAgent: HttpAgent;
  readonly #request: typeof httpRequest;
  #token: string | undefined;
  #tokenReadAt = -Infinity;

  constructor(target: KubeTarget, opts: RestOptions) {
    this.#target = target;
    this.server = target.server;
    this.#opts = { maxSockets: 16, requestTimeoutMs: 30_000, ...opts };
    const tls = target.server.startsWith('https:');
    const common = {
      keepAlive: true,
      ...(tls
        ? {
            ca: target.ca,
            cert: target.cert,
            key: target.key,
            rejectUnauthorized: target.insecureSkipTlsVerify !== true,
            ...(target.tlsServerName ? { servername: target.tlsServerName } : {}),
          }
        : {}),
    };
    this.#agent = tls
      ? new HttpsAgent({ ...common, maxSockets: this.#opts.maxSockets, maxFreeSockets: this.#opts.maxSockets })
      : new HttpAgent({ ...common, maxSockets: this.#opts.maxSockets });
    this.#watchAgent = tls ? new HttpsAgent({ ...common, keepAlive: false }) : new HttpAgent({ keepAlive: false });
    this.#request = (tls ? httpsRequest : httpRequest) as typeof httpRequest;
  }

  #bearer(): string | undefined {
    const t = this.#target;
    if (t.tokenFile !== undefined) {
      const now = this.#opts.now();
      if (this.#token === undefined || now - this.#tokenReadAt >= TOKEN_REREAD_MS) {
        this.#token = readFileSync(t.tokenFile, 'utf8').trim();
        this.#tokenReadAt = now;
      }
      return this.#token;
    }
    return t.token;
  }

  #options(method: string, path: string, query: Record<string, string> | undefined, agent: HttpAgent): RequestOptions {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'ferrolb-controller' };
    const token = this.#bearer();
    if (token) headers.Authorization = `Bearer ${token}`;
    return {
      method,
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port,
      path: url.pathname + url.search,
      headers,
      agent,
    };
  }

  /** One JSON request; resolves with the parsed body of a 2xx answer, rejects with ApiError otherwise. */
  request<T>(method: string, path: string, req: RestRequest = {}): Promise<T> {
    const opts = this.#options(method, path, req.query, this.#agent);
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    if (payload) {
      (opts.headers as Record<string, string>)['Content-Type'] = 'application/json';
      (opts.headers as Record<string, string>)['Content-Length'] = String(payload.length);
    }
    return new Promise<T>((resolve, reject) => {
      const r = this.#request(opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text === '' ? undefined : JSON.parse(text);
          } catch {
            // not JSON (a proxy's error page): keep the text
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(body as T);
          else reject(new ApiError(status, body, `${method} ${path}`));
        });
      });
      r.setTimeout(this.#opts.requestTimeoutMs, () =>
        r.destroy(
          Object.assign(new Error(`${method} ${path}: no answer in ${this.#opts.requestTimeoutMs} ms`), {
            name: 'TimeoutError',
          }),
        ),
      );
      r.on('error', reject);
      r.end(payload);
    });
  }

  /** client-node's Watch.watch contract: events as they come; onDone once (null on a clean end). */
  readonly watch: WatchFn = (path, params, onEvent, onDone) => {
    const opts = this.#options('GET', path, { ...params, watch: 'true' }, this.#watchAgent);
    let finished = false;
    const done = (err: unknown): void => {
      if (finished) return;
      finished = true;
      onDone(err);
    };
    return new Promise<WatchHandle>((resolve) => {
      const r = this.#request(opts, (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            let body: unknown = Buffer.concat(chunks).toString('utf8');
            try {
              body = JSON.parse(body as string);
            } catch {
              // keep the text
            }
            done(new ApiError(status, body, `watch ${path}`));
          });
          res.on('error', done);
          return;
        }
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            if (line.trim() === '') continue;
            let ev: { type?: string; object?: unknown };
            try {
              ev = JSON.parse(line) as { type?: string; object?: unknown };
            } catch (err) {
              r.destroy();
              done(new Error(`watch ${path}: undecodable event (${(err as Error).message})`));
              return;
            }
            if (!finished) onEvent(ev.type ?? '', ev.object);
          }
        });
        res.on('end', () => done(null));
        res.on('error', (err) => done(finished ? null : err));
        res.on('close', () => done(null));
      });
      r.setTimeout(WATCH_IDLE_MS, () =>
        r.destroy(Object.assign(new Error(`watch ${path}: idle for ${WATCH_IDLE_MS} ms`), { name: 'TimeoutError' })),
      );
      r.on('error', (err) => done(err));
      r.end();
      resolve({
        abort: () => {
          r.destroy();
          done(null);
        },
      });
    });
  };

  close(): void {
    this.#agent.destroy();
    this.#watchAgent.destroy();
  }
}
