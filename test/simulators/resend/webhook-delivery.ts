import { request } from 'node:http';

/** A webhook as the simulator sends it (header names lower-cased, as Node's HTTP server presents them). */
export interface SignedWebhook {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  rawBody: string;
}

export interface WebhookAnswer {
  status: number;
  body: string;
}

/** POSTs a webhook over loopback HTTP; rejects only when no answer came. */
export function postWebhook(webhook: SignedWebhook, timeoutMs: number): Promise<WebhookAnswer> {
  const target = new URL(webhook.url);
  if (target.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    return Promise.reject(new Error(`The simulator only calls loopback http:// URLs, not ${webhook.url}`));
  }
  const body = Buffer.from(webhook.rawBody, 'utf8');
  return new Promise((resolve, reject) => {
    const outgoing = request(target, {
      method: 'POST',
      // A fresh connection per webhook: nothing pooled outlives the simulator.
      agent: false,
      headers: { ...webhook.headers, 'content-length': String(body.length) },
      timeout: timeoutMs,
    }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`No answer from ${webhook.url} within ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
