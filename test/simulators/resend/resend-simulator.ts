import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultQueue } from '../shared/fault-queue.js';
import { resendErrors, type ApiAnswer } from './resend-error-body.js';
import { ResendOpenApiSpec, type SpecViolation } from './resend-openapi-spec.js';
import { outboundEvent, receivedEvent, type OutboundEventType, type ResendEvent } from './resend-webhook-events.js';
import { SimulatedDomains } from './simulated-domains.js';
import { INVALID_JSON, SendEmailApi } from './send-email-api.js';
import {
  contentTypeFor, emailResource, receivedEmailResource, type OutboundEventName, type SimulatedEmail,
  type SimulatedInboundEmail,
} from './simulated-emails.js';
import { newSvixMessageId, newWebhookSecret, svixHeaders, type SvixSignatureMode } from './svix-signing.js';
import { postWebhook, type SignedWebhook, type WebhookAnswer } from './webhook-delivery.js';
import { closeNow, listenOnLoopback } from '../shared/loopback-server.js';

export interface ResendSimulatorOptions {
  /** Default: a random `re_…` key. */
  apiKey?: string;
  /** Signing secret of the webhook endpoint. Default: a random `whsec_…`. */
  webhookSecret?: string;
  /** The webhook endpoint configured "in the dashboard": delivery events of every accepted email go there. */
  webhookUrl?: string;
  /** Pause before each delivery event (ms). Default 10: the sending request is answered first, as on Resend. */
  eventDelayMs?: number;
  /** How long a webhook receiver may take to answer (ms). Default 5000. */
  webhookTimeoutMs?: number;
  /** A second, sending-only key ("Sending access" in the dashboard): it may send, and any other call is refused as restricted. */
  sendingOnlyApiKey?: string;
  /** Path of Resend's published `resend.json`; null checks nothing. Default: the copy found by provider-specs.ts. */
  specPath?: string | null;
  now?: () => Date;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-cased names. */
  headers: Record<string, string>;
  rawBody: string;
  /** The parsed JSON body; undefined when there was none or it was not JSON. */
  body: unknown;
}

export interface WebhookDelivery {
  url: string;
  type: string;
  svixId: string;
  headers: Record<string, string>;
  rawBody: string;
  /** What the receiver answered; null when it did not answer (see `error`). */
  status: number | null;
  error: string | null;
}

export interface InboundEmailInput {
  /** Where the `email.received` webhook goes. Default: the configured `webhookUrl`. */
  url?: string;
  from: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  replyTo?: string[];
  subject: string;
  text?: string;
  html?: string;
  /** Extra headers of the received mail. */
  headers?: Record<string, string>;
  attachments?: Array<{ filename: string; contentType?: string; content: Uint8Array | string; contentId?: string }>;
  /** Default: a generated `<…@mail.example.com>`. */
  messageId?: string;
  /** Default 'valid'. */
  signature?: SvixSignatureMode;
}

export interface EventInput {
  emailId: string;
  type: OutboundEventType;
  /** Default: the configured `webhookUrl`. */
  url?: string;
  /** Default 'valid'. */
  signature?: SvixSignatureMode;
}

/** Resend's test recipients (`*@resend.dev`) and the events each one produces. */
const TEST_RECIPIENT_EVENTS: Readonly<Record<string, OutboundEventType[]>> = {
  'delivered@resend.dev': ['email.sent', 'email.delivered'],
  'bounced@resend.dev': ['email.sent', 'email.bounced'],
  'complained@resend.dev': ['email.sent', 'email.delivered', 'email.complained'],
};
const DEFAULT_EVENTS: OutboundEventType[] = ['email.sent', 'email.delivered'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A stateful, loopback-only stand-in for api.resend.com (sending, retrieving and receiving emails) and for the
 * Svix-signed webhooks Resend sends. Tests drive the real `resend` SDK against it.
 */
export class ResendSimulator {
  readonly apiKey: string;
  readonly sendingOnlyApiKey: string | null;
  readonly webhookSecret: string;
  /** Accepted outbound emails, oldest first. */
  readonly emails: SimulatedEmail[] = [];
  /** Emails received on the (simulated) receiving domain, oldest first. */
  readonly inbound: SimulatedInboundEmail[] = [];
  /** Every API request received, faults included. */
  readonly requests: RecordedRequest[] = [];
  /** Requests that Resend's published OpenAPI document does not allow (when found): our adapter must cause none. */
  readonly specViolations: SpecViolation[] = [];
  /** Every webhook sent, with the receiver's answer. */
  readonly webhookDeliveries: WebhookDelivery[] = [];
  webhookUrl: string | null;
  /** The team's sending domains (Domains API). */
  readonly domains = new SimulatedDomains();

  /** What the simulator serves and how it refuses: the same with or without the published document. */
  private readonly operations = ResendOpenApiSpec.simulated;
  private readonly published: ResendOpenApiSpec | null;
  private readonly faults = new FaultQueue();
  private readonly sendApi: SendEmailApi;
  private readonly now: () => Date;
  private readonly eventDelayMs: number;
  private readonly webhookTimeoutMs: number;
  private readonly pending = new Set<Promise<void>>();
  /** Bumped by reset/stop so that events scheduled earlier stop quietly. */
  private generation = 0;
  private server: Server | null = null;
  private url: string | null = null;

  constructor(options: ResendSimulatorOptions = {}) {
    this.apiKey = options.apiKey ?? `re_${randomBytes(12).toString('base64url')}`;
    this.sendingOnlyApiKey = options.sendingOnlyApiKey ?? null;
    this.webhookSecret = options.webhookSecret ?? newWebhookSecret();
    this.webhookUrl = options.webhookUrl ?? null;
    this.now = options.now ?? (() => new Date());
    this.eventDelayMs = options.eventDelayMs ?? 10;
    this.webhookTimeoutMs = options.webhookTimeoutMs ?? 5000;
    this.published = ResendOpenApiSpec.published(options.specPath);
    this.sendApi = new SendEmailApi(this.operations, this.published, this.emails, this.specViolations, this.now, (email) => {
      if (this.webhookUrl) this.track(this.progress(email));
    });
  }

  /** `http://127.0.0.1:<port>`; only valid after `start()`. */
  get baseUrl(): string {
    if (!this.url) throw new Error('ResendSimulator is not started');
    return this.url;
  }

  async start(): Promise<void> {
    if (this.server) return;
    ({ server: this.server, url: this.url } = await listenOnLoopback('ResendSimulator', (req, res) => this.handle(req, res), (res) => this.send(res, resendErrors.serverFault(500))));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.generation += 1;
    this.server = null;
    await closeNow(server);
    await this.settled();
  }

  /** Forgets everything recorded, every idempotency key and every armed fault; scheduled events are abandoned. */
  reset(): void {
    this.generation += 1;
    this.emails.length = 0;
    this.inbound.length = 0;
    this.requests.length = 0;
    this.specViolations.length = 0;
    this.webhookDeliveries.length = 0;
    this.sendApi.forgetIdempotencyKeys();
    this.faults.clear();
  }

  /** The next `times` API requests (default 1) get this HTTP error with Resend's body; 429 carries Retry-After. */
  failNext(fault: { status: 500 | 502 | 503 | 429 | 401 | 403; retryAfterSeconds?: number; times?: number }): void {
    this.faults.add({ kind: 'fail', status: fault.status, retryAfterSeconds: fault.retryAfterSeconds }, fault.times ?? 1);
  }

  /** The next `times` API requests (default 1) are read and never answered: the client must time out. */
  hangNext(options: { times?: number } = {}): void {
    this.faults.add({ kind: 'hang' }, options.times ?? 1);
  }

  /** The next `times` API requests (default 1) have their socket destroyed after being read. */
  dropNext(options: { times?: number } = {}): void {
    this.faults.add({ kind: 'drop' }, options.times ?? 1);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Resolves once every delivery event scheduled so far has been sent. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Stores an inbound email (served by `GET /emails/receiving/{id}`) and builds its signed `email.received` webhook, unsent. */
  buildInbound(input: InboundEmailInput): { email: SimulatedInboundEmail; webhook: SignedWebhook } {
    const createdAt = this.now();
    const messageId = input.messageId ?? `<${randomUUID()}@mail.example.com>`;
    const email: SimulatedInboundEmail = {
      id: randomUUID(),
      from: input.from,
      to: [...input.to],
      cc: [...(input.cc ?? [])],
      bcc: [...(input.bcc ?? [])],
      replyTo: [...(input.replyTo ?? [])],
      subject: input.subject,
      html: input.html ?? null,
      text: input.text ?? null,
      headers: {
        from: input.from,
        to: input.to.join(', '),
        ...(input.cc?.length ? { cc: input.cc.join(', ') } : {}),
        subject: input.subject,
        'message-id': messageId,
        date: createdAt.toUTCString(),
        'mime-version': '1.0',
        ...input.headers,
      },
      messageId,
      createdAt,
      attachments: (input.attachments ?? []).map((a) => ({
        id: randomUUID(),
        filename: a.filename,
        contentType: a.contentType ?? contentTypeFor(a.filename),
        content: typeof a.content === 'string' ? Buffer.from(a.content, 'utf8') : Buffer.from(a.content),
        contentId: a.contentId ?? null,
        disposition: a.contentId ? 'inline' : 'attachment',
      })),
    };
    this.inbound.push(email);
    const webhook = this.signEvent(this.targetUrl(input.url), receivedEvent(email, createdAt), input.signature ?? 'valid');
    return { email, webhook };
  }

  /** Receives an email: stores it and POSTs the signed `email.received` webhook; resolves with the receiver's answer. */
  async injectInbound(input: InboundEmailInput): Promise<WebhookAnswer & { emailId: string }> {
    const { email, webhook } = this.buildInbound(input);
    const answer = await this.deliver(webhook, 'email.received');
    return { ...answer, emailId: email.id };
  }

  /** A signed delivery event for a sent email, built but not sent. */
  buildEvent(input: EventInput): SignedWebhook {
    const email = this.emails.find((e) => e.id === input.emailId);
    if (!email) throw new Error(`No email ${input.emailId} was sent through the simulator`);
    return this.signEvent(this.targetUrl(input.url), outboundEvent(input.type, email, this.now()), input.signature ?? 'valid');
  }

  /** Reports a delivery event of a sent email to its webhook endpoint; resolves with the receiver's answer. */
  async emitEvent(input: EventInput): Promise<WebhookAnswer> {
    const webhook = this.buildEvent(input);
    const email = this.emails.find((e) => e.id === input.emailId);
    if (email) email.lastEvent = input.type.slice('email.'.length) as OutboundEventName;
    return this.deliver(webhook, input.type);
  }

  private targetUrl(url: string | undefined): string {
    const target = url ?? this.webhookUrl;
    if (!target) throw new Error('No webhook URL: pass one or configure webhookUrl');
    return target;
  }

  private signEvent(url: string, event: ResendEvent, mode: SvixSignatureMode): SignedWebhook {
    const rawBody = JSON.stringify(event);
    return { url, method: 'POST', headers: svixHeaders(this.webhookSecret, newSvixMessageId(), rawBody, this.now(), mode), rawBody };
  }

  /** Sends and records; a receiver that does not answer is recorded, and the promise rejects. */
  private async deliver(webhook: SignedWebhook, type: string): Promise<WebhookAnswer> {
    const record: WebhookDelivery = {
      url: webhook.url, type, svixId: webhook.headers['svix-id'] ?? '', headers: webhook.headers, rawBody: webhook.rawBody,
      status: null, error: null,
    };
    this.webhookDeliveries.push(record);
    try {
      const answer = await postWebhook(webhook, this.webhookTimeoutMs);
      record.status = answer.status;
      return answer;
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
      throw err;
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = flattenHeaders(req);
    const parsed = parseJson(rawBody);
    this.requests.push({
      method, path: target.pathname, query: Object.fromEntries(target.searchParams), headers, rawBody,
      body: parsed === INVALID_JSON ? undefined : parsed,
    });

    const fault = this.faults.take();
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'fail') {
      this.send(res, faultAnswer(fault.status, fault.retryAfterSeconds));
      return;
    }

    const authorization = headers.authorization ?? '';
    if (!authorization.startsWith('Bearer ') || authorization.length === 'Bearer '.length) {
      this.send(res, resendErrors.missingApiKey());
      return;
    }
    const key = authorization.slice('Bearer '.length);
    if (key !== this.apiKey && key !== this.sendingOnlyApiKey) {
      this.send(res, resendErrors.invalidApiKey());
      return;
    }
    if (key === this.sendingOnlyApiKey && !(method === 'POST' && target.pathname === '/emails')) {
      this.send(res, resendErrors.restrictedApiKey());
      return;
    }
    this.send(res, this.route(method, target.pathname, headers, parsed));
  }

  private route(method: string, path: string, headers: Record<string, string>, body: unknown): ApiAnswer {
    if (this.published) {
      const declared = this.published.match(path);
      if (!declared) this.specViolations.push({ method, path, operationId: '(none)', location: 'path', parameter: path, problem: 'no such path in the spec' });
      else if (this.published.hasOperation(method, declared.template)) this.specViolations.push(...this.published.checkPathParams(method, declared.template, declared.params));
    }
    const matched = this.operations.match(path);
    if (!matched) return resendErrors.notFound();
    if (!this.operations.hasOperation(method, matched.template)) return resendErrors.methodNotAllowed();

    const operation = `${method} ${matched.template}`;
    if (operation === 'POST /emails') return this.sendApi.send(headers, body);
    if (operation === 'GET /domains') return this.domains.list();
    if (operation === 'POST /domains') {
      if (this.published) this.specViolations.push(...this.published.checkJsonBody(method, '/domains', body));
      return this.domains.create(body);
    }
    if (operation === 'GET /domains/{domain_id}') return this.domains.get(matched.params.domain_id ?? '');
    if (operation === 'POST /domains/{domain_id}/verify') return this.domains.verify(matched.params.domain_id ?? '');
    const emailId = matched.params.email_id ?? '';
    if (operation === 'GET /emails/{email_id}') {
      if (!UUID.test(emailId)) return resendErrors.invalidParameter('id');
      const email = this.emails.find((e) => e.id === emailId);
      return email ? { status: 200, body: emailResource(email) } : resendErrors.notFound('Email not found');
    }
    if (operation === 'GET /emails/receiving/{email_id}') {
      if (!UUID.test(emailId)) return resendErrors.invalidParameter('id');
      const email = this.inbound.find((e) => e.id === emailId);
      return email ? { status: 200, body: receivedEmailResource(email) } : resendErrors.notFound('Email not found');
    }
    return resendErrors.notFound(`The simulator does not implement ${operation}.`);
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** The far side: the email moves through its events, each reported to the configured webhook URL. */
  private async progress(email: SimulatedEmail): Promise<void> {
    const generation = this.generation;
    const special = email.to.map((to) => TEST_RECIPIENT_EVENTS[to.toLowerCase()]).find((events) => events !== undefined);
    for (const type of special ?? DEFAULT_EVENTS) {
      await sleep(this.eventDelayMs);
      if (generation !== this.generation || !this.webhookUrl) return;
      try {
        await this.emitEvent({ emailId: email.id, type });
      } catch {
        // Recorded in webhookDeliveries; Resend would retry later, the simulator moves on.
      }
    }
  }

  private send(res: ServerResponse, answer: ApiAnswer): void {
    const body = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-request-id': randomUUID(),
      ...answer.headers,
    });
    res.end(body);
  }
}

function faultAnswer(status: number, retryAfterSeconds: number | undefined): ApiAnswer {
  if (status === 429) return resendErrors.rateLimited(retryAfterSeconds);
  if (status === 401 || status === 403) return resendErrors.authFault(status);
  return resendErrors.serverFault(status);
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
