import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { CustomerWindows } from './customer-window.js';
import { FaultSwitches, readRequest } from '../shared/fault-switches.js';
import { authenticate, simulatedAccount, type AuthMethod, type SimulatedCredentials } from './vonage-api-auth.js';
import { vonageProblems, type ProblemAnswer } from './vonage-problem.js';
import {
  inboundMessageBody, msisdn, statusBody, type InboundWhatsAppInput, type StatusInput, type VonageMessageStatus,
} from './vonage-webhook-bodies.js';
import { postWebhook } from '../shared/post-webhook.js';
import { signVonageWebhook, type SignatureMode, type SignedVonageWebhook } from './vonage-webhook-signing.js';
import { readWhatsAppRequest, type WhatsAppMessageDraft } from './whatsapp-message-request.js';
import { closeNow, listenOnLoopback } from '../shared/loopback-server.js';

/*
 * What this simulator plays, and the choices made where Vonage's public documentation is thin:
 * - Only `POST /v1/messages` with channel "whatsapp" (text, image, audio, video, file, template, custom).
 * - Auth as the SDK sends it: Basic api_key:api_secret, or a Bearer JWT (RS256, application private key).
 * - Refusals are RFC 7807 bodies with Vonage's Messages API codes: 1150 invalid params (with
 *   `invalid_parameters`, e.g. a `to` that is not digits-only E.164), 1120 invalid sender, 1022 invalid
 *   template, 1340 "Outside Allowed Window" (422) for free-form messages outside WhatsApp's 24-hour customer care
 *   window. Vonage can also report 1340 later, as a `rejected` status; answering synchronously is the form an
 *   adapter can turn into TEMPLATE_REQUIRED, and `failDelivery({ status: 'rejected', errorCode: 1340 })` plays
 *   the asynchronous form. (WhatsApp's own code for this is 131047, formerly 470; 1026 is "receiver incapable".)
 * - The window opens when the contact writes: every inbound message built or injected here, or `contactWrote`.
 */

export interface VonageSimulatorOptions {
  /** Default: 8 random hex digits. */
  apiKey?: string;
  /** Default: random. */
  apiSecret?: string;
  /** Default: a random UUID. */
  applicationId?: string;
  /** PEM of the application's RSA private key. Default: a new 2048-bit key. */
  privateKey?: string;
  /** Signs webhooks (HS256). Default: random. */
  signatureSecret?: string;
  /** WhatsApp business numbers of the account (E.164, + optional): the valid `from`s. Default `['+15550100']`. */
  whatsappNumbers?: string[];
  /** Contacts refused as invalid numbers: 422, invalid_parameters `to`. */
  refusedRecipients?: string[];
  /** The application's status webhook URL; a message's own `webhook_url` wins. Default none. */
  statusUrl?: string | null;
  /** Statuses a message goes through after it is accepted. Default `['submitted', 'delivered', 'read']`. */
  statusProgression?: VonageMessageStatus[];
  /** Pause before each status change (ms). Default 10: the creating request is answered first, as on Vonage. */
  statusDelayMs?: number;
  /** Refuse free-form messages outside the 24-hour window (error 1340). Default true. */
  enforceCustomerWindow?: boolean;
  /** Template names the WhatsApp Business Account has approved; null accepts any name. Default null. */
  approvedTemplates?: string[] | null;
  /** How long a webhook receiver may take to answer (ms). Default 5000. */
  webhookTimeoutMs?: number;
  now?: () => Date;
}

/** An accepted outbound message. `to`/`from` are digits, as sent. */
export interface SimulatedWhatsAppMessage extends WhatsAppMessageDraft {
  messageUuid: string;
  status: VonageMessageStatus | 'accepted';
  authMethod: AuthMethod;
  acceptedAt: Date;
  /** The JSON body exactly as received. */
  body: Record<string, unknown>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  rawBody: string;
  /** The parsed body; null when it was not JSON. */
  json: unknown;
}

export interface RecordedWebhook {
  kind: 'status' | 'inbound';
  url: string;
  headers: Record<string, string>;
  rawBody: string;
  body: Record<string, unknown>;
  /** What the receiver answered; null when it did not answer (see `error`). */
  status: number | null;
  error: string | null;
}

export interface DeliveryFailure {
  status: 'rejected' | 'undelivered';
  /** A Messages API error code. Default 1300 (not on WhatsApp) for undelivered, 1340 for rejected. */
  errorCode: number;
}

export interface InboundInjection extends InboundWhatsAppInput {
  /** Default 'valid'. */
  signature?: SignatureMode;
}

export interface StatusInjection {
  url: string;
  messageUuid: string;
  status: VonageMessageStatus;
  /** For rejected/undelivered. */
  errorCode?: number | null;
  /** Defaults: from the accepted message when known. */
  to?: string;
  from?: string;
  signature?: SignatureMode;
}

const MESSAGES_PATH = '/v1/messages';

/**
 * A stateful, loopback-only stand-in for the Vonage Messages API v1 (WhatsApp channel) and for Vonage's side of
 * the webhooks: signed status webhooks and inbound messages. Tests drive the real `@vonage/server-sdk` against it.
 */
export class VonageSimulator extends FaultSwitches {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly applicationId: string;
  /** PEM (PKCS#8) of the application's private key, for the SDK's JWT auth. */
  readonly privateKey: string;
  readonly signatureSecret: string;
  /** Business numbers as digits. */
  readonly whatsappNumbers: readonly string[];
  /** Accepted outbound messages, oldest first. */
  readonly messages: SimulatedWhatsAppMessage[] = [];
  /** Every API request received, faults included. */
  readonly requests: RecordedRequest[] = [];
  /** Every webhook sent (status and inbound), with the receiver's answer. */
  readonly webhooks: RecordedWebhook[] = [];
  statusUrl: string | null;

  private readonly credentials: SimulatedCredentials;
  private readonly refusedRecipients: Set<string>;
  private readonly statusProgression: VonageMessageStatus[];
  private readonly statusDelayMs: number;
  private readonly enforceCustomerWindow: boolean;
  private readonly approvedTemplates: Set<string> | null;
  private readonly webhookTimeoutMs: number;
  private readonly now: () => Date;
  private readonly windows = new CustomerWindows();
  private readonly pending = new Set<Promise<void>>();
  private deliveryFailure: DeliveryFailure | null = null;
  /** Bumped by reset/stop so that progress scheduled earlier stops quietly. */
  private generation = 0;
  private server: Server | null = null;
  private url: string | null = null;

  constructor(options: VonageSimulatorOptions = {}) {
    super();
    const account = simulatedAccount(options);
    ({ apiKey: this.apiKey, apiSecret: this.apiSecret, applicationId: this.applicationId, privateKey: this.privateKey, signatureSecret: this.signatureSecret } = account);
    this.credentials = account.credentials;
    this.whatsappNumbers = (options.whatsappNumbers ?? ['+15550100']).map(msisdn);
    this.refusedRecipients = new Set((options.refusedRecipients ?? []).map(msisdn));
    this.statusUrl = options.statusUrl ?? null;
    this.statusProgression = options.statusProgression ?? ['submitted', 'delivered', 'read'];
    this.statusDelayMs = options.statusDelayMs ?? 10;
    this.enforceCustomerWindow = options.enforceCustomerWindow ?? true;
    this.approvedTemplates = options.approvedTemplates ? new Set(options.approvedTemplates) : null;
    this.webhookTimeoutMs = options.webhookTimeoutMs ?? 5000;
    this.now = options.now ?? (() => new Date());
  }

  /** `http://127.0.0.1:<port>`: the SDK's `apiHost`. Only valid after `start()`. */
  get baseUrl(): string {
    if (!this.url) throw new Error('VonageSimulator is not started');
    return this.url;
  }

  async start(): Promise<void> {
    if (this.server) return;
    ({ server: this.server, url: this.url } = await listenOnLoopback('VonageSimulator', (req, res) => this.handle(req, res), (res) => this.answer(res, vonageProblems.serverFault(500))));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.generation += 1;
    this.server = null;
    await closeNow(server);
    await this.settled();
  }

  /** Forgets every message, request, webhook, open window and armed fault; scheduled progress is abandoned. */
  reset(): void {
    this.generation += 1;
    this.messages.length = 0;
    this.requests.length = 0;
    this.webhooks.length = 0;
    this.windows.clear();
    this.faults.clear();
    this.deliveryFailure = null;
  }

  /** Messages accepted from now on end `rejected` or `undelivered` with an error; `false` restores delivery. */
  failDelivery(failure: Partial<DeliveryFailure> | false = {}): void {
    if (failure === false) {
      this.deliveryFailure = null;
      return;
    }
    const status = failure.status ?? 'undelivered';
    this.deliveryFailure = { status, errorCode: failure.errorCode ?? (status === 'rejected' ? 1340 : 1300) };
  }

  /** Records that `contact` wrote to `business` (default: now): free-form messages are allowed for 24 hours. */
  contactWrote(contact: string, business: string, at: Date = this.now()): void {
    this.windows.contactWrote(msisdn(contact), msisdn(business), at);
  }

  /** True while free-form messages from `business` to `contact` are accepted. */
  isWindowOpen(contact: string, business: string): boolean {
    return !this.enforceCustomerWindow || this.windows.isOpen(msisdn(contact), msisdn(business), this.now());
  }

  /** Resolves once every status progression and webhook scheduled so far has finished. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * A signed inbound WhatsApp message, built but not sent. The contact wrote, so it opens their window, as on
   * WhatsApp (whether our server ever receives the webhook is another matter).
   */
  buildInbound(input: InboundInjection): SignedVonageWebhook & { messageUuid: string } {
    const now = this.now();
    const body = inboundMessageBody(input, now);
    this.contactWrote(input.from, input.to, now);
    const webhook = signVonageWebhook(this, input.url, body, input.signature ?? 'valid', now);
    return { ...webhook, messageUuid: String(body.message_uuid) };
  }

  /** POSTs a signed inbound WhatsApp message to `url`; resolves with the receiver's answer. */
  async injectInbound(input: InboundInjection): Promise<{ messageUuid: string; status: number; body: string }> {
    const webhook = this.buildInbound(input);
    const record = await this.deliver('inbound', webhook);
    if (record.status === null) throw new Error(record.error ?? `No answer from ${webhook.url}`);
    return { messageUuid: webhook.messageUuid, status: record.status, body: record.answer };
  }

  /** A signed status webhook for any message UUID and status, built but not sent. */
  buildStatus(input: StatusInjection): SignedVonageWebhook {
    const known = this.messages.find((m) => m.messageUuid === input.messageUuid);
    const status: StatusInput = {
      messageUuid: input.messageUuid,
      to: input.to ?? known?.to ?? '',
      from: input.from ?? known?.from ?? this.whatsappNumbers[0] ?? '',
      status: input.status,
      clientRef: known?.clientRef ?? null,
      error: input.errorCode ? { code: input.errorCode } : null,
    };
    const now = this.now();
    return signVonageWebhook(this, input.url, statusBody(status, now), input.signature ?? 'valid', now);
  }

  protected answerFault(res: ServerResponse, status: number, headers: Record<string, string>): void {
    this.answer(res, status === 401 ? vonageProblems.unauthorized() : status === 429 ? vonageProblems.throttled() : vonageProblems.serverFault(status), headers);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { method, path, headers, rawBody } = await readRequest(req);
    const json = parseJson(rawBody);
    this.requests.push({ method, path, headers, rawBody, json: json ?? null });
    if (this.playFault(req, res)) return;

    if (path !== MESSAGES_PATH) {
      this.answer(res, vonageProblems.notFound(path));
      return;
    }
    if (method !== 'POST') {
      this.answer(res, vonageProblems.methodNotAllowed(), { allow: 'POST' });
      return;
    }
    const authMethod = authenticate(this.credentials, headers.authorization, this.now());
    if (!authMethod) {
      this.answer(res, vonageProblems.unauthorized());
      return;
    }
    if (json === undefined) {
      this.answer(res, vonageProblems.invalidJson());
      return;
    }
    const outcome = this.accept(json as Record<string, unknown>, authMethod);
    if ('problem' in outcome) {
      this.answer(res, outcome.problem);
      return;
    }
    this.send(res, 202, { message_uuid: outcome.message.messageUuid });
    this.track(this.progress(outcome.message));
  }

  private accept(body: Record<string, unknown>, authMethod: AuthMethod): { message: SimulatedWhatsAppMessage } | { problem: ProblemAnswer } {
    const read = readWhatsAppRequest(body);
    if ('invalid' in read) return { problem: vonageProblems.invalidParams(read.invalid) };
    const { draft } = read;
    if (!this.whatsappNumbers.includes(draft.from)) return { problem: vonageProblems.invalidSender() };
    if (this.refusedRecipients.has(draft.to)) {
      return { problem: vonageProblems.invalidParams([{ name: 'to', reason: 'Invalid phone number: not a valid destination' }]) };
    }
    if (draft.template && this.approvedTemplates && !this.approvedTemplates.has(draft.template.name)) {
      return { problem: vonageProblems.invalidTemplate(draft.template.name) };
    }
    if (draft.freeForm && !this.isWindowOpen(draft.to, draft.from)) return { problem: vonageProblems.outsideWindow() };

    const message: SimulatedWhatsAppMessage = {
      ...draft, messageUuid: randomUUID(), status: 'accepted', authMethod, acceptedAt: this.now(), body,
    };
    this.messages.push(message);
    return { message };
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** The far side: the message moves through its statuses, each reported to its status webhook URL if any. */
  private async progress(message: SimulatedWhatsAppMessage): Promise<void> {
    const generation = this.generation;
    const failure = this.deliveryFailure;
    const statuses: VonageMessageStatus[] = !failure
      ? [...this.statusProgression]
      : failure.status === 'rejected' ? ['rejected'] : ['submitted', 'undelivered'];
    for (const status of statuses) {
      await sleep(this.statusDelayMs);
      if (generation !== this.generation) return;
      message.status = status;
      const url = message.webhookUrl ?? this.statusUrl;
      if (!url) continue;
      const failed = failure !== null && status === failure.status;
      const webhook = this.buildStatus({
        url, messageUuid: message.messageUuid, status, errorCode: failed ? failure.errorCode : null,
      });
      await this.deliver('status', webhook);
    }
  }

  private async deliver(kind: RecordedWebhook['kind'], webhook: SignedVonageWebhook): Promise<RecordedWebhook & { answer: string }> {
    const record: RecordedWebhook = {
      kind, url: webhook.url, headers: webhook.headers, rawBody: webhook.rawBody,
      body: (parseJson(webhook.rawBody) ?? {}) as Record<string, unknown>, status: null, error: null,
    };
    this.webhooks.push(record);
    let answer = '';
    try {
      const response = await postWebhook(webhook, this.webhookTimeoutMs);
      record.status = response.status;
      answer = response.body;
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
    return { ...record, answer };
  }

  private answer(res: ServerResponse, problem: ProblemAnswer, extraHeaders: Record<string, string> = {}): void {
    this.send(res, problem.status, problem.body, { 'content-type': 'application/problem+json', ...extraHeaders });
  }

  private send(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-request-id': randomUUID(),
      ...extraHeaders,
    });
    res.end(text);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}


