import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultSwitches, readRequest } from '../shared/fault-switches.js';
import { closeNow, listenOnLoopback } from '../shared/loopback-server.js';
import { authenticate, simulatedAccount, type SimulatedCredentials } from './vonage-api-auth.js';
import { VonageOpenApiSpec, type SpecViolation } from './vonage-openapi-spec.js';
import { vonageProblems, type ProblemAnswer } from './vonage-problem.js';
import {
  deliveredSms, deliveryReceiptFields, inboundSmsFields, signedSmsWebhook, SMS_REFUSALS, smsAcceptedBody, smsRefusedBody,
  type DeliveryReceiptInput, type DeliveryReceiptStatus, type InboundSmsInput, type SimulatedSms, type SmsRefusal, type SmsWebhookFormat,
} from './vonage-sms-bodies.js';
import type { SmsSignatureMethod } from './vonage-sms-signing.js';
import { VonageSocketLegs } from './vonage-socket-legs.js';
import { VonageRecordings, type SimulatedVonageRecording } from './vonage-recordings.js';
import { newCall, progressCall, runNcco, type CalleeEnvironment, type DetectedAnswer, type SimulatedVonageCall, type VonageCallee, type VonageCallStatus, type VonagePlaybackProblem } from './vonage-voice-calls.js';
import { msisdn } from './vonage-webhook-bodies.js';
import { postWebhook } from '../shared/post-webhook.js';
import { signVonageWebhook, type SignatureMode, type SignedVonageWebhook } from './vonage-webhook-signing.js';

/*
 * What this simulator plays, and the choices made where Vonage's public documentation is thin:
 * - The SMS API (`POST /sms/json`, JSON or form, credentials as Basic auth — as the SDK sends them — or as
 *   api_key/api_secret parameters) and the Voice API (`POST /v1/calls` with an inline NCCO, `GET` and `PUT
 *   /v1/calls/{uuid}`, application JWT), each request checked against Vonage's OpenAPI documents when they are
 *   beside the checkout (`specCheck` says when they are not).
 * - SMS refusals are HTTP 200 with a non-zero `status` (the spec's x-errors): 1 throttled, 4 bad credentials,
 *   6 unroutable (the refused recipients), 15 a `from` the account does not own. Text sent as `text` reaches the
 *   phone in GSM-7 only; a long message is sent in parts, one id and one delivery receipt each.
 * - SMS webhooks (inbound, delivery receipts) are signed with `sig` by the account's signature method and posted
 *   as the dashboard's "POST" (form) or "POST-JSON"; Voice API webhooks carry a signed JWT (HS256, signature secret,
 *   `payload_hash`), as Vonage's signed callbacks do.
 * - Recording: an NCCO `record` action without a stop condition records until the call ends; then its event (no
 *   call uuid: `conversation_uuid`, `recording_url` …) goes to the action's `eventUrl`, signed, and the file is at
 *   `GET /v1/files/{id}` for the application's JWT only.
 * - Voice: a refused number is 400 with `invalid_parameters` naming `to[0].number`. Hanging up a call that has
 *   ended answers 404, as for a call never placed (`GET` still finds the former).
 */

export interface VonageTelephonySimulatorOptions {
  apiKey?: string;
  apiSecret?: string;
  applicationId?: string;
  /** PEM of the application's RSA private key. Default: a new 2048-bit key. */
  privateKey?: string;
  signatureSecret?: string;
  /** How the account signs SMS webhooks. Default `sha256`. */
  signatureMethod?: SmsSignatureMethod;
  /** How SMS webhooks are posted. Default `json` (the dashboard's POST-JSON). */
  webhookFormat?: SmsWebhookFormat;
  /** The account's numbers (E.164, + optional): the valid senders and callers. Default `['+15550100']`. */
  numbers?: string[];
  /** Destinations refused: SMS status 6, calls 400 on `to[0].number`. */
  refusedRecipients?: string[];
  /** The account's delivery receipt URL; a message's own `callback` wins. Default none. */
  deliveryReceiptUrl?: string | null;
  /** Pause before each delivery receipt and early call status (ms). Default 10. */
  statusDelayMs?: number;
  /** Real milliseconds per simulated second of call time. Default 5. */
  msPerCallSecond?: number;
  /** How long a webhook receiver may take to answer (ms). Default 5000. */
  webhookTimeoutMs?: number;
  now?: () => Date;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  rawBody: string;
}

export interface RecordedWebhook {
  kind: 'delivery-receipt' | 'inbound-sms' | 'call-event' | 'answer' | 'notify' | 'recording';
  url: string;
  headers: Record<string, string>;
  rawBody: string;
  /** What the receiver answered; null when it did not answer (see `error`). */
  status: number | null;
  error: string | null;
}

export interface CallEventInput {
  url: string;
  uuid: string;
  status: VonageCallStatus;
  /** Machine detection's detail: `beep_start`, `beep_timeout`. */
  subState?: string;
  durationSeconds?: number;
  direction?: 'inbound' | 'outbound';
  from?: string;
  to?: string;
  signature?: SignatureMode;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

const SMS_PATH = '/sms/json';
/** The Account API's free balance lookup (rest.nexmo.com), what a credential check asks. */
const BALANCE_PATH = '/account/get-balance';
const CALLS_PATH = '/v1/calls';
const CALL_PATH = /^\/v1\/calls\/([^/]+)$/;
const CALL_RATE = '0.00450000';

/**
 * A stateful, loopback-only stand-in for Vonage's SMS API and Voice API, and for Vonage's side of their webhooks:
 * signed delivery receipts, inbound SMS and call events. Tests drive the real `@vonage/server-sdk` against it.
 */
export class VonageTelephonySimulator extends FaultSwitches {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly applicationId: string;
  readonly privateKey: string;
  readonly signatureSecret: string;
  readonly signatureMethod: SmsSignatureMethod;
  webhookFormat: SmsWebhookFormat;
  deliveryReceiptUrl: string | null;
  /** The account's numbers as digits. */
  readonly numbers: readonly string[];
  /** Accepted SMS, oldest first. */
  readonly sms: SimulatedSms[] = [];
  /** Placed calls, and incoming calls answered with an NCCO, oldest first. */
  readonly calls: SimulatedVonageCall[] = [];
  /** The WebSocket legs of calls (NCCO `connect` to a `websocket` endpoint): the caller on each. */
  readonly legs: VonageSocketLegs;
  /** What `record` actions recorded, once their calls ended. */
  readonly recordings: SimulatedVonageRecording[];
  readonly requests: RecordedRequest[] = [];
  readonly webhooks: RecordedWebhook[] = [];
  readonly playbackProblems: VonagePlaybackProblem[] = [];
  /** Requests (and webhooks sent) that Vonage's published API does not allow. */
  readonly specViolations: SpecViolation[] = [];
  /** Whether requests are checked against Vonage's OpenAPI documents, or why not. */
  readonly specCheck: 'checked' | { skipped: string };

  private readonly spec: VonageOpenApiSpec | null;
  private readonly credentials: SimulatedCredentials;
  private readonly refused: Set<string>;
  private readonly statusDelayMs: number;
  private readonly msPerCallSecond: number;
  private readonly webhookTimeoutMs: number;
  private readonly now: () => Date;
  private readonly smsRefusals: SmsRefusal[] = [];
  private readonly callees = new Map<string, VonageCallee>();
  private readonly pending = new Set<Promise<void>>();
  private readonly recorder: VonageRecordings;
  private deliveryFailure: { status: DeliveryReceiptStatus; errCode: string } | null = null;
  private throttle: { remaining: number; retryAfterSeconds?: number } | null = null;
  private generation = 0;
  private detected: DetectedAnswer = 'human';
  private server: Server | null = null;
  private url: string | null = null;

  constructor(options: VonageTelephonySimulatorOptions = {}) {
    super();
    const account = simulatedAccount(options);
    ({ apiKey: this.apiKey, apiSecret: this.apiSecret, applicationId: this.applicationId, privateKey: this.privateKey, signatureSecret: this.signatureSecret } = account);
    this.credentials = account.credentials;
    this.signatureMethod = options.signatureMethod ?? 'sha256';
    this.webhookFormat = options.webhookFormat ?? 'json';
    this.deliveryReceiptUrl = options.deliveryReceiptUrl ?? null;
    this.numbers = (options.numbers ?? ['+15550100']).map(msisdn);
    this.refused = new Set((options.refusedRecipients ?? []).map(msisdn));
    this.statusDelayMs = options.statusDelayMs ?? 10;
    this.msPerCallSecond = options.msPerCallSecond ?? 5;
    this.webhookTimeoutMs = options.webhookTimeoutMs ?? 5000;
    this.now = options.now ?? (() => new Date());
    this.legs = new VonageSocketLegs(this.webhookTimeoutMs);
    this.recorder = new VonageRecordings(() => this.baseUrl, async (url, body) => (await this.deliver('recording', signVonageWebhook(this, url, body, 'valid', this.now()))).status);
    this.recordings = this.recorder.recordings;
    const spec = VonageOpenApiSpec.load();
    this.spec = 'skipped' in spec ? null : spec;
    this.specCheck = 'skipped' in spec ? spec : 'checked';
  }

  /** `http://127.0.0.1:<port>`: the SDK's `restHost` and `apiHost`. Only valid after `start()`. */
  get baseUrl(): string {
    if (!this.url) throw new Error('VonageTelephonySimulator is not started');
    return this.url;
  }

  async start(): Promise<void> {
    if (this.server) return;
    ({ server: this.server, url: this.url } = await listenOnLoopback('VonageTelephonySimulator', (req, res) => this.handle(req, res), (res) => this.problem(res, vonageProblems.serverFault(500))));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.abandon();
    this.server = null;
    await closeNow(server);
    await this.settled();
  }

  /** Forgets every message, call, request, webhook and armed fault; progress scheduled earlier stops quietly. */
  reset(): void {
    this.abandon();
    this.legs.reset();
    this.recorder.reset();
    for (const list of [this.sms, this.calls, this.requests, this.webhooks, this.playbackProblems, this.specViolations]) list.length = 0;
    this.clearFaults();
    this.callees.clear();
    this.detected = 'human';
    this.deliveryFailure = null;
  }

  /** The next `times` SMS are refused in the SMS API's own way: HTTP 200 with this `status` in the body. */
  refuseNextSms(refusal: SmsRefusal, times = 1): void {
    for (let i = 0; i < times; i++) this.smsRefusals.push(refusal);
  }

  /**
   * The next `times` requests are throttled as each API does it: the SMS API refuses with status 1 in an HTTP 200
   * body (it names no wait); the Voice API answers 429, with `Retry-After` when given.
   */
  throttleNext(options: { times?: number; retryAfterSeconds?: number } = {}): void {
    this.throttle = { remaining: options.times ?? 1, retryAfterSeconds: options.retryAfterSeconds };
  }

  override clearFaults(): void {
    super.clearFaults();
    this.smsRefusals.length = 0;
    this.throttle = null;
  }

  /** SMS accepted from now on end with this receipt (`expired`, `failed`, `rejected`) and error code; false restores. */
  failDelivery(failure: { status: DeliveryReceiptStatus; errCode: string } | false): void {
    this.deliveryFailure = failure || null;
  }

  /** Who answers calls placed with machine detection (default: a person). */
  /** The next recording event is delivered `copies` times at once: a replay racing the first delivery. */
  deliverNextRecordingEventTimes(copies: number): void {
    this.recorder.deliverNextEventTimes(copies);
  }

  detectAs(answer: DetectedAnswer): void {
    this.detected = answer;
  }

  /** How the person at `to` (default: everyone) reacts to calls. */
  answerCalls(callee: VonageCallee, options: { to?: string } = {}): void {
    this.callees.set(options.to ? msisdn(options.to) : '*', callee);
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** A signed inbound SMS, built but not sent. */
  buildInboundSms(input: InboundSmsInput): SignedVonageWebhook & { messageId: string } {
    const now = this.now();
    const fields = inboundSmsFields(this, input, now);
    this.checkSent('inbound-sms', fields);
    return { ...signedSmsWebhook(this, input.url, fields, input.signature ?? 'valid', now), messageId: fields.messageId! };
  }

  /** POSTs a signed inbound SMS to `url`; resolves with the receiver's answer. */
  async injectInboundSms(input: InboundSmsInput): Promise<{ messageId: string; status: number; body: string }> {
    const webhook = this.buildInboundSms(input);
    const answer = await this.deliver('inbound-sms', webhook);
    if (answer.status === null) throw new Error(answer.error ?? `No answer from ${webhook.url}`);
    return { messageId: webhook.messageId, status: answer.status, body: answer.body };
  }

  /** A signed delivery receipt for any message id, built but not sent. */
  buildDeliveryReceipt(input: DeliveryReceiptInput): SignedVonageWebhook {
    const now = this.now();
    const fields = deliveryReceiptFields(this, input, now);
    this.checkSent('delivery-receipt', fields);
    return signedSmsWebhook(this, input.url, fields, input.signature ?? 'valid', now);
  }

  /** A signed Voice API event for any call, built but not sent. */
  buildCallEvent(input: CallEventInput): SignedVonageWebhook {
    const known = this.calls.find((c) => c.uuid === input.uuid);
    const now = this.now();
    const body: Record<string, unknown> = {
      from: msisdn(input.from ?? known?.from ?? this.numbers[0] ?? ''),
      to: msisdn(input.to ?? known?.to ?? ''),
      uuid: input.uuid,
      conversation_uuid: known?.conversationUuid ?? `CON-${randomUUID()}`,
      status: input.status,
      direction: input.direction ?? known?.direction ?? 'outbound',
      timestamp: now.toISOString(),
      ...(input.subState ? { sub_state: input.subState } : {}),
    };
    if (input.status === 'completed') {
      const duration = input.durationSeconds ?? known?.durationSeconds ?? 0;
      const start = known?.answeredAt ?? new Date(now.getTime() - duration * 1000);
      Object.assign(body, {
        start_time: start.toISOString(), end_time: now.toISOString(), duration: String(duration), rate: CALL_RATE,
        price: (Number(CALL_RATE) * Math.ceil(duration / 60)).toFixed(8), network: '310260',
      });
    }
    return signVonageWebhook(this, input.url, body, input.signature ?? 'valid', now);
  }

  /** The answer webhook of a call to one of the account's numbers, built but not sent. */
  buildIncomingCall(input: { url: string; from: string; to: string; signature?: SignatureMode }): SignedVonageWebhook & { uuid: string } {
    const uuid = randomUUID();
    const body = { from: msisdn(input.from), to: msisdn(input.to), uuid, conversation_uuid: `CON-${randomUUID()}` };
    return { ...signVonageWebhook(this, input.url, body, input.signature ?? 'valid', this.now()), uuid };
  }

  private abandon(): void {
    this.generation += 1;
    for (const call of this.calls) call.hangUp.resolve();
  }

  protected answerFault(res: ServerResponse, status: number, headers: Record<string, string>): void {
    this.problem(res, status === 401 ? vonageProblems.unauthorized() : status === 429 ? vonageProblems.throttled() : vonageProblems.serverFault(status), headers);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { method, path, headers, rawBody } = await readRequest(req);
    this.requests.push({ method, path, headers, rawBody });
    if (this.playFault(req, res)) return;
    const throttled = this.throttle && this.throttle.remaining-- > 0 ? this.throttle : null;
    if (throttled && path !== SMS_PATH) {
      this.problem(res, vonageProblems.throttled(), throttled.retryAfterSeconds !== undefined ? { 'retry-after': String(throttled.retryAfterSeconds) } : {});
      return;
    }
    const file = this.recorder.media(method, path);
    if (file) {
      if (authenticate(this.credentials, headers.authorization, this.now()) !== 'jwt') this.problem(res, vonageProblems.unauthorized());
      else if (file.status !== 200) this.problem(res, vonageProblems.notFound(path));
      else {
        res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': file.bytes.length });
        res.end(Buffer.from(file.bytes));
      }
      return;
    }
    if (path === BALANCE_PATH) {
      this.send(res, this.balance(method, headers));
      return;
    }
    const answer = throttled ? { status: 200, body: smsRefusedBody(SMS_REFUSALS.throttled) } : path === SMS_PATH ? this.smsApi(method, headers, rawBody) : this.voiceApi(method, path, headers, rawBody);
    if ('problem' in answer) this.problem(res, answer.problem as ProblemAnswer, answer.headers);
    else this.send(res, answer);
  }

  /**
   * `GET /account/get-balance`: the balance in EUR with the key and secret (Basic), or 401 with the Account API's
   * error body for anything else, as rest.nexmo.com answers.
   */
  private balance(method: string, headers: Record<string, string>): Answer {
    if (method !== 'GET') return { status: 405, body: { 'error-code': '405', 'error-code-label': 'method not allowed' } };
    const given = basicCredentials(headers.authorization);
    if (given?.apiKey !== this.apiKey || given.apiSecret !== this.apiSecret) {
      return { status: 401, body: { 'error-code': '401', 'error-code-label': 'authentication failed' } };
    }
    return { status: 200, body: { value: 10.28, autoReload: false } };
  }

  /** `POST /sms/json`: one SMS (in parts), or the SMS API's refusal in an HTTP 200 body. */
  private smsApi(method: string, headers: Record<string, string>, rawBody: string): Answer | { problem: ProblemAnswer; headers?: Record<string, string> } {
    if (method !== 'POST') return { problem: vonageProblems.methodNotAllowed(), headers: { allow: 'POST' } };
    const form = (headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const params: Record<string, unknown> = form ? Object.fromEntries(new URLSearchParams(rawBody)) : (parseJson(rawBody) as Record<string, unknown> | undefined) ?? {};
    const { api_key: _key, api_secret: _secret, ...message } = params;
    const fromHeader = basicCredentials(headers.authorization);
    const apiKey = fromHeader?.apiKey ?? params.api_key;
    const apiSecret = fromHeader?.apiSecret ?? params.api_secret;
    this.check(() => this.spec?.checkSendSms({ ...message, api_key: apiKey, api_secret: apiSecret }));
    const refuse = (refusal: SmsRefusal): Answer => ({ status: 200, body: smsRefusedBody(refusal) });
    if (apiKey !== this.apiKey || apiSecret !== this.apiSecret) return refuse(SMS_REFUSALS.badCredentials);
    const armed = this.smsRefusals.shift();
    if (armed) return refuse(armed);
    for (const name of ['from', 'to', 'text']) if (typeof message[name] !== 'string' || message[name] === '') return refuse(SMS_REFUSALS.missingParams(name));
    if (!/^\d{7,15}$/.test(String(message.to))) return refuse(SMS_REFUSALS.invalidParams('to'));
    if (!this.numbers.includes(msisdn(String(message.from)))) return refuse(SMS_REFUSALS.illegalSender);
    if (this.refused.has(msisdn(String(message.to)))) return refuse(SMS_REFUSALS.unroutable);
    const callback = typeof message.callback === 'string' ? message.callback : this.deliveryReceiptUrl;
    const sms = deliveredSms(message, callback);
    this.sms.push(sms);
    this.track(this.reportDelivery(sms));
    return { status: 200, body: smsAcceptedBody(sms) };
  }

  /** Every part: `accepted`, then `delivered` (or the armed failure), to the message's receipt URL. */
  private async reportDelivery(sms: SimulatedSms): Promise<void> {
    const generation = this.generation;
    const failure = this.deliveryFailure;
    const statuses: DeliveryReceiptStatus[] = failure ? ['accepted', failure.status] : ['accepted', 'delivered'];
    for (const status of statuses) {
      await sleep(this.statusDelayMs);
      if (generation !== this.generation || !sms.callback) return;
      for (const messageId of sms.messageIds) {
        const receipt = this.buildDeliveryReceipt({
          url: sms.callback, messageId, status, to: sms.to, from: sms.from, clientRef: sms.clientRef,
          errCode: failure && status === failure.status ? failure.errCode : '0',
        });
        await this.deliver('delivery-receipt', receipt);
      }
    }
  }

  /** `/v1/calls…`: JWT of the application only. */
  private voiceApi(method: string, path: string, headers: Record<string, string>, rawBody: string): Answer | { problem: ProblemAnswer; headers?: Record<string, string> } {
    const one = CALL_PATH.exec(path);
    if (path !== CALLS_PATH && !one) return { problem: vonageProblems.notFound(path) };
    if (authenticate(this.credentials, headers.authorization, this.now()) !== 'jwt') return { problem: vonageProblems.unauthorized() };
    const body = parseJson(rawBody) as Record<string, unknown> | undefined;
    if (!one) {
      if (method !== 'POST') return { problem: vonageProblems.methodNotAllowed(), headers: { allow: 'POST' } };
      if (!body) return { problem: vonageProblems.invalidJson() };
      return this.placeCall(body);
    }
    const call = this.calls.find((c) => c.uuid === one[1]);
    if (method === 'GET') return call ? { status: 200, body: callDetail(call) } : { problem: vonageProblems.notFound(path) };
    if (method !== 'PUT') return { problem: vonageProblems.methodNotAllowed(), headers: { allow: 'GET, PUT' } };
    if (!body) return { problem: vonageProblems.invalidJson() };
    this.check(() => this.spec?.checkUpdateCall(body));
    if (!call || call.endedAt !== null) return { problem: vonageProblems.notFound(path) };
    if (body.action === 'transfer') {
      const destination = body.destination as { type?: unknown; ncco?: unknown } | undefined;
      if (destination?.type !== 'ncco' || !Array.isArray(destination.ncco)) return { problem: vonageProblems.badRequest([{ name: 'destination', reason: 'Only transfers to an inline NCCO are simulated' }]) };
      call.ncco = destination.ncco;
      call.transferred.resolve();
      return { status: 204 };
    }
    if (body.action !== 'hangup') return { problem: vonageProblems.badRequest([{ name: 'action', reason: 'Only hangup and transfer are simulated' }]) };
    call.hangUp.resolve();
    return { status: 204 };
  }

  private placeCall(body: Record<string, unknown>): Answer | { problem: ProblemAnswer } {
    this.check(() => this.spec?.checkCreateCall(body));
    const to = Array.isArray(body.to) ? (body.to[0] as { type?: unknown; number?: unknown } | undefined) : undefined;
    const from = body.from as { number?: unknown } | undefined;
    if (to?.type !== 'phone' || typeof to.number !== 'string' || !/^\d{7,15}$/.test(to.number)) {
      return { problem: vonageProblems.badRequest([{ name: 'to[0].number', reason: 'Invalid phone number' }]) };
    }
    if (typeof from?.number !== 'string' || !this.numbers.includes(msisdn(from.number))) {
      return { problem: vonageProblems.badRequest([{ name: 'from.number', reason: 'The number is not one of this account' }]) };
    }
    if (this.refused.has(msisdn(to.number))) return { problem: vonageProblems.badRequest([{ name: 'to[0].number', reason: 'Destination not reachable' }]) };
    if (!Array.isArray(body.ncco)) return { problem: vonageProblems.badRequest([{ name: 'ncco', reason: 'Only calls with an inline NCCO are simulated' }]) };
    const call = newCall(body, this.now());
    this.calls.push(call);
    const callee = this.callees.get(call.to) ?? this.callees.get('*') ?? 'answer';
    const env = this.calleeEnvironment();
    this.track(progressCall(env, call, callee, this.detected).then(() => this.callEnded(env, call)).finally(() => this.legs.finished(call.uuid)));
    return { status: 201, body: { uuid: call.uuid, status: 'started', direction: 'outbound', conversation_uuid: call.conversationUuid } };
  }

  /**
   * Someone calls one of the account's numbers and the application answers with an NCCO: the signed answer
   * webhook goes to `answerUrl`, the NCCO runs (a WebSocket leg is the caller's: `legs.waitFor(uuid)`), events go
   * to `eventUrl`, and `completed` when the NCCO ran out or the caller hung up.
   */
  async placeIncomingCall(input: { answerUrl: string; eventUrl: string; from: string; to: string }): Promise<SimulatedVonageCall> {
    const incoming = this.buildIncomingCall({ url: input.answerUrl, from: input.from, to: input.to });
    const answer = await this.deliver('answer', incoming);
    const body = JSON.parse(incoming.rawBody) as Record<string, unknown>;
    const call: SimulatedVonageCall = {
      ...newCall({ to: [{ number: input.to }], from: { number: input.from }, event_url: [input.eventUrl] }, this.now()),
      uuid: incoming.uuid, conversationUuid: String(body.conversation_uuid), direction: 'inbound', status: 'answered', answeredAt: this.now(),
    };
    call.ncco = (answer.status === 200 ? (parseJson(answer.body) as unknown[] | undefined) : undefined) ?? [];
    this.calls.push(call);
    const env = this.calleeEnvironment();
    this.track(runNcco(env, call).then(async () => {
      call.endedAt = this.now();
      call.durationSeconds = Math.max(1, Math.ceil((call.endedAt.getTime() - call.answeredAt!.getTime()) / this.msPerCallSecond));
      call.status = 'completed';
      await env.report(call, 'completed');
      await this.callEnded(env, call);
    }).finally(() => this.legs.finished(call.uuid)));
    return call;
  }

  /** After the call's final event: its recording, if a record action ran. */
  private async callEnded(env: CalleeEnvironment, call: SimulatedVonageCall): Promise<void> {
    if (env.current()) await this.recorder.callEnded(call, this.now());
  }

  private calleeEnvironment(): CalleeEnvironment {
    const generation = this.generation;
    return {
      msPerCallSecond: this.msPerCallSecond,
      stepDelayMs: this.statusDelayMs,
      defaultAudioSeconds: 1,
      fetchTimeoutMs: this.webhookTimeoutMs,
      now: this.now,
      current: () => generation === this.generation,
      report: async (placed, status, subState) => {
        if (placed.eventUrl) await this.deliver('call-event', this.buildCallEvent({ url: placed.eventUrl, uuid: placed.uuid, status, subState }));
      },
      playbackProblem: (problem) => this.playbackProblems.push(problem),
      connectSocket: (call, endpoint) => this.legs.connect(call, endpoint),
      notify: async (call, url, payload) => {
        // The notify webhook (signed like every Voice API webhook); an NCCO in the answer replaces the rest of the call's.
        const body = { uuid: call.uuid, conversation_uuid: call.conversationUuid, payload, timestamp: this.now().toISOString() };
        const answer = await this.deliver('notify', signVonageWebhook(this, url, body, 'valid', this.now()));
        const next = answer.status === 200 ? parseJson(answer.body) : undefined;
        const ncco = Array.isArray(next) ? next : null;
        this.legs.of(call.uuid)?.recordNext(ncco);
        return ncco;
      },
    };
  }

  private check(violations: () => SpecViolation[] | undefined): void {
    this.specViolations.push(...(violations() ?? []));
  }

  private checkSent(kind: 'inbound-sms' | 'delivery-receipt', fields: Record<string, string>): void {
    this.check(() => (kind === 'inbound-sms' ? this.spec?.checkInboundSms(fields) : this.spec?.checkDeliveryReceipt(fields)));
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private async deliver(kind: RecordedWebhook['kind'], webhook: SignedVonageWebhook): Promise<RecordedWebhook & { body: string }> {
    const record: RecordedWebhook = { kind, url: webhook.url, headers: webhook.headers, rawBody: webhook.rawBody, status: null, error: null };
    this.webhooks.push(record);
    let body = '';
    try {
      const answer = await postWebhook(webhook, this.webhookTimeoutMs);
      record.status = answer.status;
      body = answer.body;
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
    return { ...record, body };
  }

  private problem(res: ServerResponse, problem: ProblemAnswer, extraHeaders: Record<string, string> = {}): void {
    this.send(res, { status: problem.status, body: problem.body, headers: { 'content-type': 'application/problem+json', ...extraHeaders } });
  }

  private send(res: ServerResponse, answer: Answer): void {
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      ...(text ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } : {}),
      'x-request-id': randomUUID(),
      ...answer.headers,
    });
    res.end(text);
  }
}

/** `GET /v1/calls/{uuid}` (spec: GetCallResponse). */
function callDetail(call: SimulatedVonageCall): Record<string, unknown> {
  return {
    _links: { self: { href: `/calls/${call.uuid}` } },
    uuid: call.uuid,
    conversation_uuid: call.conversationUuid,
    to: { type: 'phone', number: call.to },
    from: { type: 'phone', number: call.from },
    status: call.status,
    direction: 'outbound',
    rate: CALL_RATE,
    ...(call.durationSeconds !== null ? { duration: String(call.durationSeconds) } : {}),
    start_time: call.startedAt.toISOString(),
    ...(call.endedAt ? { end_time: call.endedAt.toISOString() } : {}),
    network: '310260',
  };
}

function basicCredentials(authorization: string | undefined): { apiKey: string; apiSecret: string } | null {
  const encoded = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!encoded) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { apiKey: decoded.slice(0, colon), apiSecret: decoded.slice(colon + 1) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
