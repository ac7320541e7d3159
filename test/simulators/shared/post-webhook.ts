import { request } from 'node:http';

/** What a receiver answered to a webhook. */
export interface WebhookAnswer {
  status: number;
  body: string;
}

/** A webhook as simulators send it: text, or bytes when the body is not text (multipart uploads). */
export interface OutgoingWebhook {
  url: string;
  headers: Record<string, string>;
  rawBody: string;
  rawBytes?: Uint8Array;
}

/** POSTs a webhook over loopback HTTP (never the network); rejects only when no answer came. */
export function postWebhook(webhook: OutgoingWebhook, timeoutMs: number): Promise<WebhookAnswer> {
  const target = new URL(webhook.url);
  if (target.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) {
    return Promise.reject(new Error(`The simulator only calls loopback http:// URLs, not ${webhook.url}`));
  }
  const body = webhook.rawBytes ? Buffer.from(webhook.rawBytes) : Buffer.from(webhook.rawBody, 'utf8');
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
