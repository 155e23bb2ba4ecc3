// Records core/v1 Events about an object. Failures are logged, never thrown: an Event is a courtesy to
// the user and must not block or retry a reconcile.
import type { CoreV1Event, V1ObjectReference } from '@kubernetes/client-node';
import { errorText } from './informer.ts';
import type { KubeRest } from './rest.ts';

export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface EventSink {
  record(ref: V1ObjectReference, event: EventSpec): Promise<void>;
}

export interface EventLog {
  warn(fields: object, msg: string): void;
}

export const COMPONENT = 'ferrolb-controller';

/** The one call the recorder makes (client-node's CoreV1Api has this shape too). */
export interface EventApi {
  createNamespacedEvent(p: { namespace: string; body: CoreV1Event }): Promise<unknown>;
}

export function restEventApi(rest: KubeRest): EventApi {
  return {
    createNamespacedEvent: ({ namespace, body }) =>
      rest.request('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, { body }),
  };
}

export class ApiEventRecorder implements EventSink {
  readonly #core: EventApi;
  readonly #log: EventLog;
  readonly #instance: string;
  readonly #now: () => Date;
  readonly #component: string;

  constructor(
    core: EventApi,
    log: EventLog,
    instance: string,
    now: () => Date = () => new Date(),
    component = COMPONENT,
  ) {
    this.#core = core;
    this.#log = log;
    this.#instance = instance;
    this.#now = now;
    this.#component = component;
  }

  async record(ref: V1ObjectReference, event: EventSpec): Promise<void> {
    const namespace = ref.namespace || 'default';
    const now = this.#now();
    try {
      await this.#core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${ref.name ?? 'object'}.`, namespace },
          involvedObject: ref,
          reason: event.reason,
          message: event.message.length > 1024 ? `${event.message.slice(0, 1020)}...` : event.message,
          type: event.type,
          source: { component: this.#component },
          reportingComponent: this.#component,
          reportingInstance: this.#instance,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch (err) {
      this.#log.warn(
        { object: `${ref.kind}/${namespace}/${ref.name}`, reason: event.reason, error: errorText(err) },
        'could not record Event',
      );
    }
  }
}
