// A small Kubernetes REST client: JSON requests and watches over one keep-alive connection pool, plain
// JSON objects in and out (no model classes, no Date revival). The controller needs a handful of calls
// (list/watch, status PUT, Event POST, Lease get/create/update); this costs it a few hundred lines
// instead of @kubernetes/client-node's ~50 MiB of RSS at import time. Errors carry the HTTP status as
// `code` and the API's Status object as `body`, like client-node's ApiException (httpStatus/errorText
// read both).
import { readFileSync } from 'node:fs';
import { HttpClient, type ResponseHandler, type ResponseHead } from '../http/index.ts';
import type { WatchFn, WatchHandle } from './informer.ts';
import type { KubeTarget } from './kubeconfig.ts';

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
  readonly #client: HttpClient;
  readonly #base: string; // the server URL's path, a prefix of every request's (a proxy's /k8s/clusters/x)
  #token: string | undefined;
  #tokenReadAt = -Infinity;

  constructor(target: KubeTarget, opts: RestOptions) {
    this.#target = target;
    this.server = target.server;
    this.#opts = { maxSockets: 16, requestTimeoutMs: 30_000, ...opts };
    const url = new URL(target.server);
    const https = url.protocol === 'https:';
    if (!https && url.protocol !== 'http:') throw new Error(`${target.source}: server ${target.server}: not http(s)`);
    this.#base = url.pathname.replace(/\/+$/, '');
    this.#client = new HttpClient({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
      maxSockets: this.#opts.maxSockets,
      ...(https
        ? {
            tls: {
              rejectUnauthorized: target.insecureSkipTlsVerify !== true,
              ...(target.ca ? { ca: target.ca } : {}),
              ...(target.cert ? { cert: target.cert } : {}),
              ...(target.key ? { key: target.key } : {}),
              ...(target.tlsServerName ? { servername: target.tlsServerName } : {}),
            },
          }
        : {}),
    });
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

  #url(path: string, query: Record<string, string> | undefined): string {
    const q = new URLSearchParams(query).toString();
    return `${this.#base}${path}${q === '' ? '' : `?${q}`}`;
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'ferrolb' };
    const token = this.#bearer();
    if (token) headers.Authorization = `Bearer ${token}`;
    return headers;
  }

  /** One JSON request; resolves with the parsed body of a 2xx answer, rejects with ApiError otherwise. */
  request<T>(method: string, path: string, req: RestRequest = {}): Promise<T> {
    const headers = this.#headers();
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    if (body) headers['Content-Type'] = 'application/json';
    return new Promise<T>((resolve, reject) => {
      let status = 0;
      const chunks: Buffer[] = [];
      this.#client.request(
        {
          method,
          path: this.#url(path, req.query),
          headers,
          ...(body ? { body } : {}),
          timeoutMs: this.#opts.requestTimeoutMs,
          what: `${method} ${path}`,
        },
        {
          head: (h: ResponseHead) => (status = h.status),
          data: (c: Buffer) => chunks.push(c),
          error: reject,
          end: () => {
            const parsed = parseBody(Buffer.concat(chunks).toString('utf8'));
            if (status >= 200 && status < 300) resolve(parsed as T);
            else reject(new ApiError(status, parsed, `${method} ${path}`));
          },
        },
      );
    });
  }

  /** client-node's Watch.watch contract: events as they come; onDone once (null on a clean end). */
  readonly watch: WatchFn = (path, params, onEvent, onDone) => {
    let finished = false;
    const done = (err: unknown): void => {
      if (finished) return;
      finished = true;
      onDone(err);
    };
    let status = 0;
    const errorBody: Buffer[] = [];
    let buffered = '';
    const decoder = new TextDecoder();
    const handler: ResponseHandler = {
      head: (h) => (status = h.status),
      data: (chunk) => {
        if (status !== 200) {
          errorBody.push(chunk);
          return;
        }
        buffered += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line.trim() === '') continue;
          let ev: { type?: string; object?: unknown };
          try {
            ev = JSON.parse(line) as { type?: string; object?: unknown };
          } catch (err) {
            flight.abort();
            done(new Error(`watch ${path}: undecodable event (${(err as Error).message})`));
            return;
          }
          if (!finished) onEvent(ev.type ?? '', ev.object);
        }
      },
      end: () =>
        done(
          status === 200
            ? null
            : new ApiError(status, parseBody(Buffer.concat(errorBody).toString('utf8')), `watch ${path}`),
        ),
      error: (err) => done(err),
    };
    const flight = this.#client.request(
      {
        method: 'GET',
        path: this.#url(path, { ...params, watch: 'true' }),
        headers: this.#headers(),
        timeoutMs: WATCH_IDLE_MS,
        dedicated: true,
        what: `watch ${path}`,
      },
      handler,
    );
    const handle: WatchHandle = {
      abort: () => {
        flight.abort();
        done(null);
      },
    };
    return Promise.resolve(handle);
  };

  close(): void {
    this.#client.close();
  }
}

/** A JSON body, or its text when it is not JSON (a proxy's error page); undefined when empty. */
function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
