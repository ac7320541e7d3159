import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A webhook as the receiving server saw it: the shape of ports/webhook.ts `WebhookRequest`. */
export interface ReceivedWebhook {
  url: string;
  method: string;
  headers: Record<string, string | undefined>;
  rawBody: string;
  params: Record<string, string>;
}

/**
 * A loopback HTTP endpoint that records every webhook it receives and answers 200: the far end of the
 * simulator's webhooks in tests without a real host.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  reply = { status: 200, contentType: 'application/json', body: '{}' };
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
        this.received.push({
          // The URL the sender was given: rebuilt from our own origin.
          url: `${this.baseUrl}${req.url ?? '/'}`,
          method: req.method ?? 'POST',
          headers,
          rawBody: Buffer.concat(chunks).toString('utf8'),
          params: {},
        });
        res.writeHead(this.reply.status, { 'content-type': this.reply.contentType });
        res.end(this.reply.body);
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
  }
}
