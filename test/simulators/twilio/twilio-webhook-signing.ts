import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import twilio from 'twilio';
import { encodeForm } from './form-params.js';

/** How a simulated webhook is signed: as Twilio does, by someone without the token, or not at all. */
export type SignatureMode = 'valid' | 'forged' | 'missing';

/** A webhook exactly as Twilio sends it (header names lower-cased, as Node's HTTP server presents them). */
export interface SignedWebhook {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  rawBody: string;
  params: Record<string, string>;
}

export interface WebhookAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** Signs over the exact URL and the form fields, the way Twilio's `X-Twilio-Signature` is built. */
export function signTwilioWebhook(
  authToken: string,
  url: string,
  params: Record<string, string>,
  mode: SignatureMode = 'valid',
  idempotencyToken: string = randomUUID(),
): SignedWebhook {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': 'TwilioProxy/1.1',
    accept: '*/*',
    'i-twilio-idempotency-token': idempotencyToken,
    'x-home-region': 'us1',
  };
  if (mode !== 'missing') {
    // A forger knows the format but not the token.
    const key = mode === 'valid' ? authToken : `forged-${authToken.slice(0, 4)}`;
    headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(key, url, params);
  }
  return { url, method: 'POST', headers, rawBody: encodeForm(params), params };
}

/** POSTs a webhook over loopback HTTP; rejects only when no answer came. */
export function postWebhook(webhook: SignedWebhook, timeoutMs: number): Promise<WebhookAnswer> {
  const target = new URL(webhook.url);
  if (target.protocol !== 'http:') return Promise.reject(new Error(`The simulator only calls http:// URLs, not ${webhook.url}`));
  const body = Buffer.from(webhook.rawBody, 'utf8');
  return new Promise((resolve, reject) => {
    const outgoing = request(
      target,
      {
        method: 'POST',
        // A fresh connection per webhook: nothing pooled outlives the simulator.
        agent: false,
        headers: { ...webhook.headers, 'content-length': String(body.length) },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error(`No answer from ${webhook.url} within ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
