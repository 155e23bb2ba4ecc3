import { ApiException } from '@kubernetes/client-node';

/** HTTP status of a client-node API error, or undefined when the error is not one. */
export function apiStatus(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/** A short description of an API error: status and the server's message. */
export function describeApiError(err: unknown): string {
  if (err instanceof ApiException) {
    const body = err.body as { message?: unknown } | string | undefined;
    let message: string;
    if (typeof body === 'string') {
      try {
        message = String((JSON.parse(body) as { message?: unknown }).message ?? body);
      } catch {
        message = body;
      }
    } else {
      message = String(body?.message ?? err.message);
    }
    return `HTTP ${err.code}: ${message}`;
  }
  return err instanceof Error ? err.message : String(err);
}
