/**
 * One PostgreSQL connection per process that LISTENs on a few channels and sends NOTIFYs: how servers on one
 * database hear each other. The connection is dedicated (a pooled one would drop its LISTENs when returned);
 * when it drops, it is opened again with doubling delays and every channel is listened to again.
 * Delivery is at most once: what is notified while the connection is down is not heard here.
 * Statements go to the connection one at a time (node-postgres only queues a query issued while another runs,
 * and pg@9 will refuse it): NOTIFYs published meanwhile wait and then go together, in order, in one statement.
 */
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../ports/runtime.js';

export interface PgNotifyBusOptions {
  url: string;
  /** First delay before reconnecting; doubled after each failure up to `maxReconnectMs`. */
  reconnectMs?: number;
  maxReconnectMs?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

/** A message of another process (never one this bus sent: a sender does its local work itself). */
export type ChannelHandler = (payload: string) => void;

/** Marks a queued LISTEN (no NOTIFY payload is this string: every payload starts with the origin and `|`). */
const LISTEN = '';

/** PostgreSQL's limit on a NOTIFY payload (8000 bytes by default). */
const MAX_PAYLOAD_BYTES = 7900;
/** NOTIFYs sent in one statement at most (two parameters each). */
const MAX_BATCH = 100;

interface Pending {
  channel: string;
  message: string;
  /** Called once the statement carrying it has finished (sent, failed or dropped with the connection). */
  done?: () => void;
}

export class PgNotifyBus {
  /** Prefixed to every payload, so this process recognises (and skips) the echo of its own NOTIFYs. */
  readonly origin = randomUUID();
  private readonly handlers = new Map<string, ChannelHandler>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = false;
  /** Statements waiting for the one in flight on `sendingOn`. */
  private outbox: Pending[] = [];
  private sendingOn: pg.Client | null = null;
  /** Told each time a connection (the first or a new one) listens again. */
  private readonly listeningAgain = new Set<() => void>();

  constructor(private readonly options: PgNotifyBusOptions, private readonly logger: Logger) {}

  /** Registers a channel's handler; call before `start()` (or it is listened to on the next connection). */
  on(channel: string, handler: ChannelHandler): void {
    this.handlers.set(channel, handler);
    // A connection being opened listens to every registered channel itself.
    if (this.client) this.outbox.push({ channel, message: LISTEN });
    this.flush();
  }

  /** Resolves once the first connection listens, or has failed (then it is retried in the background). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  get listening(): boolean {
    return this.client !== null;
  }

  /**
   * `listener` runs each time a connection starts listening after none did (the first, or one after a drop):
   * whatever was notified in between was not heard, so state kept from notifications must be rebuilt.
   */
  onListening(listener: () => void): () => void {
    this.listeningAgain.add(listener);
    return () => void this.listeningAgain.delete(listener);
  }

  /** Best effort: never throws; a NOTIFY that cannot be sent (connection down) is logged and dropped. */
  notify(channel: string, payload: string): void {
    this.enqueue(channel, payload);
  }

  /**
   * `notify`, resolved once PostgreSQL took the NOTIFY (or it was dropped; never rejects): what is sent after
   * that reaches every listener after it, so a sender can wait before saying the change is made.
   */
  send(channel: string, payload: string): Promise<void> {
    return new Promise((resolve) => {
      if (!this.enqueue(channel, payload, resolve)) resolve();
    });
  }

  private enqueue(channel: string, payload: string, done?: () => void): boolean {
    const client = this.client;
    const message = `${this.origin}|${payload}`;
    if (!client || Buffer.byteLength(message) > MAX_PAYLOAD_BYTES) {
      this.logger.warn({ channel, connected: client !== null }, 'a cross-process notification was not sent');
      return false;
    }
    this.outbox.push({ channel, message, done });
    this.flush();
    return true;
  }

  /** Sends what waits, one statement at a time: a LISTEN alone, consecutive NOTIFYs together. */
  private flush(): void {
    const client = this.client;
    if (!client || this.sendingOn === client || this.outbox.length === 0) return;
    const first = this.outbox[0]!;
    const batch = first.message === LISTEN ? this.outbox.splice(0, 1) : this.outbox.splice(0, this.notifiesAtHead());
    const statement = first.message === LISTEN
      ? client.query(`LISTEN ${pg.escapeIdentifier(first.channel)}`)
      : client.query(`SELECT ${batch.map((_, i) => `pg_notify($${2 * i + 1}, $${2 * i + 2})`).join(', ')}`, batch.flatMap((p) => [p.channel, p.message]));
    this.sendingOn = client;
    statement
      .catch((err: unknown) => {
        if (first.message !== LISTEN) this.logger.warn({ err, channels: [...new Set(batch.map((p) => p.channel))] }, 'a cross-process notification failed');
      })
      .finally(() => {
        for (const pending of batch) pending.done?.();
        if (this.sendingOn === client) this.sendingOn = null;
        this.flush();
      });
  }

  private notifiesAtHead(): number {
    let n = 0;
    while (n < this.outbox.length && n < MAX_BATCH && this.outbox[n]!.message !== LISTEN) n++;
    return n;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = null;
    this.dropOutbox();
    if (client) await client.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.url, application_name: this.options.applicationName ?? 'agentos-comms-notify' });
    // Without a handler an 'error' event (server restart, network loss) would crash the process.
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    client.on('notification', (msg) => this.deliver(msg.channel, msg.payload));
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.logger.warn({ err, attempt: this.failures + 1 }, 'cross-process notifications: cannot listen, retrying');
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    if (this.failures > 0) this.logger.info({ attempts: this.failures }, 'cross-process notifications: listening again');
    this.failures = 0;
    this.client = client;
    for (const listener of this.listeningAgain) {
      try {
        listener();
      } catch (err) {
        this.logger.warn({ err }, 'a cross-process listener failed on reconnection');
      }
    }
    this.flush();
  }

  private lost(client: pg.Client, err?: Error): void {
    if (this.client !== client) return;
    this.client = null;
    // What waited is dropped with the connection, as a NOTIFY sent while it is down (at most once).
    this.dropOutbox();
    client.removeAllListeners('notification');
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.logger.warn({ err }, 'cross-process notifications: connection lost, reconnecting');
    this.scheduleReconnect();
  }

  private dropOutbox(): void {
    const dropped = this.outbox;
    this.outbox = [];
    for (const pending of dropped) pending.done?.();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    const first = this.options.reconnectMs ?? 100;
    const delay = Math.min(first * 2 ** this.failures, this.options.maxReconnectMs ?? 10_000);
    this.failures += 1;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, delay);
    this.retry.unref();
  }

  private deliver(channel: string, raw: string | undefined): void {
    const handler = this.handlers.get(channel);
    const bar = raw?.indexOf('|') ?? -1;
    if (!handler || raw === undefined || bar < 0) return;
    if (raw.slice(0, bar) === this.origin) return;
    try {
      handler(raw.slice(bar + 1));
    } catch (err) {
      this.logger.warn({ err, channel }, 'a cross-process notification handler failed');
    }
  }
}

/** A channel name per database schema (so test schemas and tenants never cross-talk), within PostgreSQL's 63 bytes. */
export function channelName(topic: string, schema: string | undefined): string {
  const name = `comms_${topic}_${schema ?? 'public'}`;
  return name.length <= 63 ? name : `comms_${topic}_${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;
}
