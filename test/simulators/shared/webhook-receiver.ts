import type { Server } from 'node:http';
import { parseForm, type FormParams } from '../twilio/form-params.js';
import { closeNow, listenOnLoopback } from './loopback-server.js';

/** A webhook as the receiving server saw it: the shape of ports/webhook.ts `WebhookRequest`. */
export interface ReceivedWebhook {
  url: string;
  method: string;
  headers: Record<string, string | undefined>;
  rawBody: string;
  /** Form fields of a form-encoded body; {} otherwise. */
  params: FormParams;
}

export interface WebhookAnswer {
  status: number;
  contentType: string;
  body: string;
}

/**
 * A loopback HTTP endpoint that records every webhook it receives and answers with a fixed reply: the far
 * end of a simulator's webhooks in tests without a real host. `onWebhook` may answer instead (e.g. run an adapter).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  onWebhook: ((webhook: ReceivedWebhook) => Promise<WebhookAnswer>) | null = null;
  private server: Server | null = null;
  private origin: string | null = null;

  constructor(public reply: WebhookAnswer = { status: 200, contentType: 'application/json', body: '{}' }) {}

  get baseUrl(): string {
    if (!this.origin) throw new Error('WebhookReceiver is not started');
    return this.origin;
  }

  async start(): Promise<void> {
    ({ server: this.server, url: this.origin } = await listenOnLoopback('WebhookReceiver', async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      const isForm = (headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      const webhook: ReceivedWebhook = {
        // The URL the sender was given is the URL it signed: rebuild it from our own origin.
        url: `${this.baseUrl}${req.url ?? '/'}`,
        method: req.method ?? 'POST',
        headers,
        rawBody,
        params: isForm ? parseForm(rawBody) : {},
      };
      this.received.push(webhook);
      const reply = this.onWebhook ? await this.onWebhook(webhook) : this.reply;
      res.writeHead(reply.status, { 'content-type': reply.contentType });
      res.end(reply.body);
    }, (res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('webhook handler failed')));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeNow(server);
  }

  reset(): void {
    this.received.length = 0;
    this.onWebhook = null;
  }
}
