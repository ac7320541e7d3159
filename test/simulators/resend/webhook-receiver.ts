import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A webhook as the receiving server saw it: the shape of ports/webhook.ts `WebhookRequest`. */
export interface ReceivedWebhook {
  url: string;
  method: string;
  headers: Record<string, string | undefined>;
  rawBody: string;
  params: Record<string, string | string[]>;
}

/**
 * A loopback HTTP endpoint that records every webhook it receives and answers with a fixed reply: the far
 * end of the simulator's webhooks in tests without a real host. `onWebhook` may answer instead (e.g. run an adapter).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  reply = { status: 200, contentType: 'application/json', body: '{"ok":true}' };
  onWebhook: ((webhook: ReceivedWebhook) => Promise<{ status: number; contentType: string; body: string }>) | null = null;
  private server: Server | null = null;
  private origin: string | null = null;

  get baseUrl(): string {
    if (!this.origin) throw new Error('WebhookReceiver is not started');
    return this.origin;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const headers: Record<string, string | undefined> = {};
        for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        const webhook: ReceivedWebhook = {
          url: `${this.baseUrl}${req.url ?? '/'}`,
          method: req.method ?? 'POST',
          headers,
          rawBody: Buffer.concat(chunks).toString('utf8'),
          params: {},
        };
        this.received.push(webhook);
        const answer = this.onWebhook ? this.onWebhook(webhook) : Promise.resolve(this.reply);
        answer.then(
          (reply) => {
            res.writeHead(reply.status, { 'content-type': reply.contentType });
            res.end(reply.body);
          },
          (err: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(err instanceof Error ? err.message : String(err));
          },
        );
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  reset(): void {
    this.received.length = 0;
    this.onWebhook = null;
  }
}
