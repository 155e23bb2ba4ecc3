import { request } from 'node:https';

export interface TlsClient {
  caPem: string;
  certPem?: string;
  keyPem?: string;
}

/** One HTTPS GET with a private CA (and optional client cert), bounded by `timeoutMs`. */
export function httpsGet(url: string, tls: TlsClient, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        ca: tls.caPem,
        ...(tls.certPem ? { cert: tls.certPem } : {}),
        ...(tls.keyPem ? { key: tls.keyPem } : {}),
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 65_536) body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
