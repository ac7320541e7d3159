import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultSwitches, readRequest } from '../shared/fault-switches.js';
import { closeNow, listenOnLoopback } from '../shared/loopback-server.js';
import { postWebhook } from '../shared/post-webhook.js';
import { EventWebhookKeys, mailEvent, type EventKind, type EventSigning, type SignedEventWebhook } from './sendgrid-event-signing.js';
import { inboundParsePost, type InboundMail, type InboundParsePost, type ParseAuthMode, type ParseCredentials } from './sendgrid-inbound-post.js';
import { readMailRequest, type SendGridError, type SimulatedMail } from './sendgrid-mail-request.js';

/*
 * What this simulator plays, and the choices made where SendGrid's documentation is thin:
 * - `POST /v3/mail/send` with `Authorization: Bearer SG.…`: 202 with an empty body and `X-Message-Id`, or
 *   `{ errors: [{ message, field, help }] }` (400 with every problem found, 401 for a wrong key, 403 for a sender
 *   outside `verifiedSenderDomains`, 429 with `X-RateLimit-Reset`).
 * - The far side: each recipient's `processed`, then `delivered` — or `bounce` for local parts starting with
 *   "bounce" — posted in batches to the Event Webhook URL, signed with a real ECDSA P-256 key pair.
 * - Inbound Parse posts in the default (parsed) format, authenticated by the parse URL's basic auth or token.
 */

export interface SendGridSimulatorOptions {
  /** Default: `SG.` and random characters. */
  apiKey?: string;
  /** The Event Webhook URL; null sends no events. Default null. */
  eventWebhookUrl?: string | null;
  /** The parse URL's credentials. Default: basic auth with random credentials. */
  parseCredentials?: ParseCredentials;
  /** What the key may do, as `GET /v3/scopes` lists it. Default: Mail Send only (a "Restricted Access" key). */
  scopes?: string[];
  /** Domains of verified senders; null accepts any sender. Default null. */
  verifiedSenderDomains?: string[] | null;
  /** Pause before each batch of events (ms). Default 10. */
  eventDelayMs?: number;
  webhookTimeoutMs?: number;
  now?: () => Date;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  rawBody: string;
}

export interface RecordedEventPost extends SignedEventWebhook {
  status: number | null;
}

const MAIL_SEND_PATH = '/v3/mail/send';
/** Lists the key's own scopes: any valid key may read them, whatever its access. */
const SCOPES_PATH = '/v3/scopes';
const HELP = 'https://www.twilio.com/docs/sendgrid/api-reference/mail-send/errors';

/** SendGrid's X-Message-Id: 22 URL-safe base64 characters. */
function xMessageId(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

/** A loopback stand-in for SendGrid's Mail Send API and for SendGrid's side of the Event Webhook and Inbound Parse. */
export class SendGridSimulator extends FaultSwitches {
  readonly apiKey: string;
  scopes: string[];
  readonly keys = new EventWebhookKeys();
  readonly parseCredentials: ParseCredentials;
  eventWebhookUrl: string | null;
  readonly mails: SimulatedMail[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly eventPosts: RecordedEventPost[] = [];
  private readonly verifiedSenderDomains: Set<string> | null;
  private readonly eventDelayMs: number;
  private readonly webhookTimeoutMs: number;
  private readonly now: () => Date;
  private readonly pending = new Set<Promise<void>>();
  private generation = 0;
  private server: Server | null = null;
  private url: string | null = null;

  constructor(options: SendGridSimulatorOptions = {}) {
    super();
    this.apiKey = options.apiKey ?? `SG.${randomBytes(16).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    this.scopes = options.scopes ?? ['mail.send'];
    this.eventWebhookUrl = options.eventWebhookUrl ?? null;
    this.parseCredentials = options.parseCredentials ?? { username: 'sendgrid-parse', password: randomBytes(12).toString('hex') };
    this.verifiedSenderDomains = options.verifiedSenderDomains ? new Set(options.verifiedSenderDomains.map((d) => d.toLowerCase())) : null;
    this.eventDelayMs = options.eventDelayMs ?? 10;
    this.webhookTimeoutMs = options.webhookTimeoutMs ?? 5000;
    this.now = options.now ?? (() => new Date());
  }

  /** The Event Webhook's verification key, as SendGrid's settings show it. */
  get eventWebhookPublicKey(): string {
    return this.keys.publicKey;
  }

  get baseUrl(): string {
    if (!this.url) throw new Error('SendGridSimulator is not started');
    return this.url;
  }

  async start(): Promise<void> {
    if (this.server) return;
    ({ server: this.server, url: this.url } = await listenOnLoopback('SendGridSimulator', (req, res) => this.handle(req, res), (res) => this.sendErrors(res, 500, [{ message: 'Internal server error', field: null, help: null }])));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.generation += 1;
    this.server = null;
    await closeNow(server);
    await this.settled();
  }

  reset(): void {
    this.generation += 1;
    this.mails.length = 0;
    this.requests.length = 0;
    this.eventPosts.length = 0;
    this.clearFaults();
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** A signed Event Webhook post with one event for each recipient of a mail (any message id), built but not sent. */
  buildEvents(input: { url: string; messageId: string; kind: EventKind; recipients?: string[]; signing?: EventSigning }): SignedEventWebhook {
    const known = this.mails.find((m) => m.messageId === input.messageId);
    const mail = known ?? { messageId: input.messageId, categories: [], customArgs: {} };
    const recipients = input.recipients ?? (known ? [...known.to, ...known.cc, ...known.bcc] : ['someone@example.com']);
    const now = this.now();
    return this.keys.sign(input.url, recipients.map((r, i) => mailEvent(mail, r, input.kind, i, now)), input.signing ?? 'valid', now);
  }

  /** An Inbound Parse post for `mail`, authenticated as `auth` says, built but not sent. */
  buildInbound(url: string, mail: InboundMail, auth: ParseAuthMode = 'valid'): Promise<InboundParsePost> {
    return inboundParsePost(url, mail, this.parseCredentials, auth);
  }

  /** Posts `mail` to the parse URL; resolves with the receiver's answer. */
  async injectInbound(url: string, mail: InboundMail, auth: ParseAuthMode = 'valid'): Promise<{ status: number; body: string }> {
    return postWebhook(await this.buildInbound(url, mail, auth), this.webhookTimeoutMs);
  }

  protected answerFault(res: ServerResponse, status: number, headers: Record<string, string>): void {
    const retryAfter = headers['retry-after'];
    const rateHeaders: Record<string, string> = status === 429
      ? { 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(this.now().getTime() / 1000) + Number(retryAfter ?? 1)) }
      : {};
    const message = status === 401 ? 'The provided authorization grant is invalid, expired, or revoked' : status === 429 ? 'too many requests' : 'Internal server error';
    this.sendErrors(res, status, [{ message, field: null, help: null }], rateHeaders);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { method, path, headers, rawBody } = await readRequest(req);
    this.requests.push({ method, path, headers, rawBody });
    if (this.playFault(req, res)) return;
    if (path === SCOPES_PATH && method === 'GET') return this.answerScopes(res, headers.authorization);
    if (path !== MAIL_SEND_PATH) return this.sendErrors(res, 404, [{ message: 'Not Found', field: null, help: null }]);
    if (method !== 'POST') return this.sendErrors(res, 405, [{ message: 'Method Not Allowed', field: null, help: null }]);
    if (headers.authorization !== `Bearer ${this.apiKey}`) return this.answerFault(res, 401, {});
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      return this.sendErrors(res, 400, [{ message: 'Bad Request', field: null, help: HELP }]);
    }
    const read = readMailRequest((body ?? {}) as Record<string, unknown>, xMessageId());
    if ('errors' in read) return this.sendErrors(res, 400, read.errors);
    const domain = read.mail.from.split('@')[1] ?? '';
    if (this.verifiedSenderDomains && !this.verifiedSenderDomains.has(domain)) {
      return this.sendErrors(res, 403, [{ message: 'The from address does not match a verified Sender Identity. Mail cannot be sent until this error is resolved.', field: 'from', help: HELP }]);
    }
    this.mails.push(read.mail);
    res.writeHead(202, { 'x-message-id': read.mail.messageId, 'content-length': 0 });
    res.end();
    this.track(this.progress(read.mail));
  }

  /** `GET /v3/scopes`: `{"scopes": [...]}` for the key, or the same 401 as Mail Send for a wrong one. */
  private answerScopes(res: ServerResponse, authorization: string | undefined): void {
    if (authorization !== `Bearer ${this.apiKey}`) return this.answerFault(res, 401, {});
    const body = JSON.stringify({ scopes: this.scopes });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  /** Each recipient: `processed`, then `delivered` or, for "bounce…" local parts, `bounce`. */
  private async progress(mail: SimulatedMail): Promise<void> {
    const generation = this.generation;
    const recipients = [...mail.to, ...mail.cc, ...mail.bcc];
    for (const step of ['processed', 'final'] as const) {
      await sleep(this.eventDelayMs);
      const url = this.eventWebhookUrl;
      if (generation !== this.generation || !url) return;
      const now = this.now();
      const events = recipients.map((r, i) => mailEvent(mail, r, step === 'processed' ? 'processed' : r.startsWith('bounce') ? 'bounce' : 'delivered', i, now));
      const signed = this.keys.sign(url, events, 'valid', now);
      const record: RecordedEventPost = { ...signed, status: null };
      this.eventPosts.push(record);
      record.status = await postWebhook(signed, this.webhookTimeoutMs).then((a) => a.status, () => null);
    }
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private sendErrors(res: ServerResponse, status: number, errors: SendGridError[], headers: Record<string, string> = {}): void {
    const text = JSON.stringify({ errors });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-message-id': randomUUID(), ...headers });
    res.end(text);
  }
}
