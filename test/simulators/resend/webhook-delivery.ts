/** A webhook as the simulator sends it (header names lower-cased, as Node's HTTP server presents them). */
export interface SignedWebhook {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  rawBody: string;
}

export { postWebhook, type WebhookAnswer } from '../shared/post-webhook.js';
