import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordedVoiceRequest } from './callee-fetcher.js';
import { FaultQueue } from './fault-queue.js';
import { SimulatedSubaccounts, SPEC_ACCOUNT, SPEC_ACCOUNTS } from './accounts-api.js';
import { SimulatedKeys, SPEC_BALANCE, SPEC_KEY, SPEC_KEYS, type Authenticated, type SimulatedKey } from './keys-api.js';
import { parseForm, type FormParams } from './form-params.js';
import { inboundSmsForm, statusCallbackForm, type InboundSmsInput } from './inbound-sms-form.js';
import { SimulatedMessagesApi, type ApiAnswer } from './messages-api.js';
import { SimulatedPhoneNumbers } from './phone-numbers-api.js';
import {
  defaultRefusedCallDestinations, TWILIO_MAGIC_REFUSED_DESTINATIONS, type SimulatedAccount,
} from './simulated-account.js';
import type { CalleeBehaviour, PlaybackProblem, TwimlProblem } from './simulated-callee.js';
import type { SimulatedConversation } from './simulated-conversation.js';
import type { SimulatedMediaStream } from './simulated-media-stream.js';
import type { SimulatedRecording } from './simulated-recordings.js';
import { METHOD_NOT_ALLOWED, SimulatedVoice, type IncomingCallInput, type RecordedCallCallback } from './simulated-voice.js';
import type { SimulatedCall } from './twilio-call-resource.js';
import { twilioErrors } from './twilio-error-body.js';
import type { SimulatedMessage } from './twilio-message-resource.js';
import { TwilioOpenApiSpec, type SpecViolation } from './twilio-openapi-spec.js';
import {
  postWebhook, signTwilioWebhook, type SignatureMode, type SignedWebhook, type WebhookAnswer,
} from './twilio-webhook-signing.js';

export interface TwilioSimulatorOptions {
  /** Default: a random `AC…` SID. */
  accountSid?: string;
  /** Default: random hex. */
  authToken?: string;
  /** Numbers the account owns (valid `From` values). Default `['+15550100']`. */
  ownedNumbers?: string[];
  /** Destinations refused with a Twilio error code. Default: Twilio's magic test numbers (+15005550001 → 21211 …). */
  refusedDestinations?: Record<string, number>;
  /** Statuses reported to StatusCallback after a message is accepted. Default `['queued', 'sent', 'delivered']`. */
  callbackStatuses?: string[];
  /** Pause before each status change (ms). Default 10: the creating request is answered first, as on Twilio. */
  callbackDelayMs?: number;
  /** How long a webhook receiver may take to answer (ms). Default 5000. */
  webhookTimeoutMs?: number;
  /**
   * Destinations refused when called, with the Twilio error code. Default: Twilio's magic call numbers
   * (+15005550001 → 21217, …0002 → 21214, …0003 → 21215) plus every `refusedDestinations` entry refused with 21211.
   */
  refusedCallDestinations?: Record<string, number>;
  /** Real milliseconds per simulated second of a call (ringing, audio, pauses). Default 10: a 3 s file plays in 30 ms. */
  msPerCallSecond?: number;
  /** Simulated seconds a called phone rings before it is picked up. Default 2. */
  ringSeconds?: number;
  /** Length of one pass of a <Play> file whose type the simulator does not inspect (AIFF, GSM, μ-law). Default 2. */
  defaultAudioSeconds?: number;
  /** How long a conversation's `say()`/`nextReply()` wait for the agent's complete reply (ms). Default 10000. */
  replyTimeoutMs?: number;
  /** Path of `twilio_api_v2010.json`; null checks nothing. Default: the copy found by provider-specs.ts. */
  specPath?: string | null;
  now?: () => Date;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Form fields for POST, query parameters otherwise. */
  params: FormParams;
  query: FormParams;
  /** Lower-cased names. */
  headers: Record<string, string>;
}

export interface RecordedCallback {
  url: string;
  messageSid: string;
  messageStatus: string;
  params: Record<string, string>;
  headers: Record<string, string>;
  /** What the receiver answered; null when it did not answer (see `error`). */
  status: number | null;
  error: string | null;
}

export type { RecordedCallCallback } from './simulated-voice.js';
export type { CalleeBehaviour, PlaybackProblem, TwimlProblem } from './simulated-callee.js';
export type {
  ConversationEnd, ConversationReply, ConversationState, Interruption, RelayMessage, SimulatedConversation,
} from './simulated-conversation.js';
import { closeNow, listenOnLoopback } from '../shared/loopback-server.js';
export { CallNotConnectedError, type IncomingCallInput } from './simulated-voice.js';

export interface InboundDelivery extends WebhookAnswer {
  messageSid: string;
}

export interface InboundSmsInjection extends InboundSmsInput {
  /** Default 'valid'. */
  signature?: SignatureMode;
}

export interface DeliveryFailure {
  status: 'undelivered' | 'failed';
  errorCode: number;
  errorMessage: string;
}

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const MESSAGE_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\.json$/;
const SPEC_MESSAGES = '/2010-04-01/Accounts/{AccountSid}/Messages.json';
const SPEC_MESSAGE = '/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json';
const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\.json$/;

/**
 * A stateful, loopback-only stand-in for api.twilio.com (Messages and Calls of API v2010) and for the Twilio side
 * of webhooks: signed status callbacks, inbound SMS, and the callee of outbound calls, which fetches the TwiML,
 * downloads and checks every <Play> file, and reports call progress. Tests drive the real `twilio` SDK against it.
 * For live AI calls it plays ConversationRelay and the person on the phone: incoming calls (`placeIncomingCall`) and
 * outbound calls whose TwiML holds `<Connect><ConversationRelay>` open our voice socket, signed, and the returned
 * `SimulatedConversation` speaks prompts, presses keys, interrupts and hangs up (see `conversations`).
 */
export class TwilioSimulator {
  readonly accountSid: string;
  readonly authToken: string;
  readonly ownedNumbers: readonly string[];
  /** Accepted outbound messages, oldest first. */
  readonly messages: SimulatedMessage[] = [];
  /** Every request received, faults included. */
  readonly requests: RecordedRequest[] = [];
  /** Every status callback sent, with the receiver's answer. */
  readonly callbacks: RecordedCallback[] = [];
  /** Requests whose parameters Twilio's OpenAPI document does not declare: our adapter must cause none. */
  readonly specViolations: SpecViolation[] = [];
  /** Inbound webhooks delivered by `injectInboundSms`/`redeliverInboundSms`, with the receiver's answers. */
  readonly inboundDeliveries: (InboundDelivery & { url: string })[] = [];
  /** Placed calls, oldest first, each with what the callee heard (`played`, `said`) and how it ended. */
  readonly calls: SimulatedCall[];
  /** Every call status callback sent, in order, with the receiver's answer. */
  readonly callCallbacks: RecordedCallCallback[];
  /** Every request for a call's TwiML at its `Url`, with the receiver's answer. */
  readonly voiceRequests: RecordedVoiceRequest[];
  /** <Play> files Twilio could not play (the call then ends after "an application error has occurred"). */
  readonly playbackProblems: PlaybackProblem[];
  /** TwiML that could not be fetched or parsed, and verbs the simulator skipped. */
  readonly twimlProblems: TwimlProblem[];
  /** Every ConversationRelay session (`<Connect><ConversationRelay>`), incoming and outbound, oldest first. */
  readonly conversations: SimulatedConversation[];
  /** AvailablePhoneNumbers and IncomingPhoneNumbers: numbers held, bought and released, and their faults. */
  readonly phoneNumbers: SimulatedPhoneNumbers;

  private readonly account: SimulatedAccount;
  private readonly keys: SimulatedKeys;
  /** Subaccounts created through the Accounts resource, by SID. */
  readonly subaccounts: SimulatedSubaccounts;
  private readonly api: SimulatedMessagesApi;
  private readonly voice: SimulatedVoice;
  private readonly spec: TwilioOpenApiSpec;
  private readonly faults = new FaultQueue();
  private readonly now: () => Date;
  private readonly callbackStatuses: string[];
  private readonly callbackDelayMs: number;
  private readonly webhookTimeoutMs: number;
  private readonly inboundBySid = new Map<string, SignedWebhook>();
  private readonly pending = new Set<Promise<void>>();
  private deliveryFailure: DeliveryFailure | null = null;
  /** Bumped by reset/stop so that progress scheduled earlier stops quietly. */
  private generation = 0;
  private server: Server | null = null;
  private url: string | null = null;

  constructor(options: TwilioSimulatorOptions = {}) {
    this.accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
    this.authToken = options.authToken ?? randomBytes(16).toString('hex');
    this.ownedNumbers = options.ownedNumbers ?? ['+15550100'];
    this.now = options.now ?? (() => new Date());
    this.callbackStatuses = options.callbackStatuses ?? ['queued', 'sent', 'delivered'];
    this.callbackDelayMs = options.callbackDelayMs ?? 10;
    this.webhookTimeoutMs = options.webhookTimeoutMs ?? 5000;
    const refusedDestinations = options.refusedDestinations ?? TWILIO_MAGIC_REFUSED_DESTINATIONS;
    const ownedNumbers = new Set(this.ownedNumbers);
    this.account = {
      accountSid: this.accountSid,
      authToken: this.authToken,
      ownedNumbers,
      refusedDestinations,
      refusedCallDestinations: options.refusedCallDestinations ?? defaultRefusedCallDestinations(refusedDestinations),
      holderOf: (number) => this.subaccounts.holderOf(number),
      tokenOf: (accountSid) => this.subaccounts.tokenOf(accountSid),
    };
    this.api = new SimulatedMessagesApi(this.account, this.now, this.messages);
    this.keys = new SimulatedKeys(this.account, this.now);
    this.subaccounts = new SimulatedSubaccounts(this.account, this.now);
    this.spec = new TwilioOpenApiSpec(options.specPath);
    this.phoneNumbers = new SimulatedPhoneNumbers(this.accountSid, ownedNumbers, this.now, this.spec, this.specViolations);
    this.voice = new SimulatedVoice({
      account: this.account,
      now: this.now,
      spec: this.spec,
      specViolations: this.specViolations,
      track: (work) => this.track(work),
      stepDelayMs: this.callbackDelayMs,
      webhookTimeoutMs: this.webhookTimeoutMs,
      msPerCallSecond: options.msPerCallSecond ?? 10,
      ringSeconds: options.ringSeconds ?? 2,
      defaultAudioSeconds: options.defaultAudioSeconds ?? 2,
      replyTimeoutMs: options.replyTimeoutMs ?? 10_000,
      baseUrl: () => this.baseUrl,
    });
    this.calls = this.voice.calls;
    this.callCallbacks = this.voice.callCallbacks;
    this.voiceRequests = this.voice.voiceRequests;
    this.playbackProblems = this.voice.playbackProblems;
    this.twimlProblems = this.voice.twimlProblems;
    this.conversations = this.voice.conversations;
  }

  /** `http://127.0.0.1:<port>`; only valid after `start()`. */
  /** Creates an API key (`SK…`) and its secret, as the Twilio console does; `POST …/Keys.json` does the same over HTTP. */
  createApiKey(friendlyName?: string): SimulatedKey {
    return this.keys.create(friendlyName);
  }

  /** The account's API keys, by SID. */
  get apiKeys(): ReadonlyMap<string, SimulatedKey> {
    return this.keys.keys;
  }

  get baseUrl(): string {
    if (!this.url) throw new Error('TwilioSimulator is not started');
    return this.url;
  }

  async start(): Promise<void> {
    if (this.server) return;
    ({ server: this.server, url: this.url } = await listenOnLoopback('TwilioSimulator', (req, res) => this.handle(req, res), (res) => this.send(res, { status: 500, body: twilioErrors.serverFault(500) })));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.generation += 1;
    this.voice.abandon();
    this.server = null;
    await closeNow(server);
    await this.settled();
  }

  /** Forgets everything recorded and every armed fault; progress already scheduled is abandoned. */
  reset(): void {
    this.generation += 1;
    this.voice.reset();
    this.messages.length = 0;
    this.requests.length = 0;
    this.callbacks.length = 0;
    this.specViolations.length = 0;
    this.inboundDeliveries.length = 0;
    this.inboundBySid.clear();
    this.faults.clear();
    this.phoneNumbers.clear();
    this.deliveryFailure = null;
  }

  /** The next `times` POST requests (default 1) get this HTTP error with Twilio's error body; 429 carries Retry-After. */
  failNext(fault: { status: 500 | 503 | 429; retryAfterSeconds?: number; times?: number }): void {
    this.faults.add({ kind: 'fail', status: fault.status, retryAfterSeconds: fault.retryAfterSeconds }, fault.times ?? 1);
  }

  /** The next `times` POST requests (default 1) are read and never answered: the client must time out. */
  hangNext(options: { times?: number } = {}): void {
    this.faults.add({ kind: 'hang' }, options.times ?? 1);
  }

  /** The next `times` POST requests (default 1) have their socket destroyed after being read. */
  dropNext(options: { times?: number } = {}): void {
    this.faults.add({ kind: 'drop' }, options.times ?? 1);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Messages accepted from now on end `undelivered` (or `failed`) instead of `delivered`; `false` restores delivery. */
  failDelivery(failure: Partial<DeliveryFailure> | false = {}): void {
    this.deliveryFailure = failure === false
      ? null
      : { status: failure.status ?? 'undelivered', errorCode: failure.errorCode ?? 30003, errorMessage: failure.errorMessage ?? 'Unreachable destination handset' };
  }

  /**
   * How callees react to calls placed from now on: pick up (default), let it ring until `Timeout` (`no-answer`),
   * be `busy`, or `fail` (carrier failure). With `to`, only for that destination; otherwise for every other one.
   */
  answerCalls(behaviour: CalleeBehaviour, options: { to?: string } = {}): void {
    this.voice.answerCalls(behaviour, options.to);
  }

  /**
   * A person calls one of the account's numbers: the signed voice webhook is POSTed to `voiceUrl` and its TwiML run.
   * Resolves with the conversation once its socket is open and `setup` sent (or the upgrade was refused: see
   * `state` and `refusedStatus`); rejects with `CallNotConnectedError` when the answer was no ConversationRelay.
   */
  placeIncomingCall(input: IncomingCallInput): Promise<SimulatedConversation> {
    return this.voice.placeIncomingCall(input);
  }

  /** The latest conversation of a call (an outbound one placed with ConversationRelay TwiML), once connected. */
  waitForConversation(callSid: string, options: { timeoutMs?: number } = {}): Promise<SimulatedConversation> {
    return this.voice.waitForConversation(callSid, options.timeoutMs ?? this.webhookTimeoutMs);
  }

  /**
   * Answering-machine detection outcome for calls to `to` (Twilio's AnsweredBy: human, machine_end_beep,
   * machine_end_silence, fax, unknown); a machine's greeting lasts `greetingSeconds` simulated seconds.
   */
  detectAs(to: string, answeredBy: string, greetingSeconds?: number): void {
    this.voice.detectAs(to, answeredBy, greetingSeconds);
  }

  /** Recordings of calls that ran `<Start><Recording>`, with the answer to their status callback. */
  get recordings(): readonly SimulatedRecording[] {
    return this.voice.recorder.recordings;
  }

  /** A person calls and the voice webhook answers `<Connect><Stream>`: the returned stream speaks real audio. */
  placeIncomingStreamCall(input: IncomingCallInput): Promise<SimulatedMediaStream> {
    return this.voice.placeIncomingStreamCall(input);
  }

  /** The latest Media Stream of a call (an outbound one placed with `<Connect><Stream>` TwiML), once connected. */
  waitForMediaStream(callSid: string, options: { timeoutMs?: number } = {}): Promise<SimulatedMediaStream> {
    return this.voice.waitForMediaStream(callSid, options.timeoutMs ?? this.webhookTimeoutMs);
  }

  /** How relay socket upgrades are signed from now on (`forged` or `missing` must be refused); reset restores 'valid'. */
  signRelayUpgrades(mode: SignatureMode): void {
    this.voice.signRelayUpgrades(mode);
  }

  /** A signed incoming-call voice webhook (CallStatus=ringing, Direction=inbound, a new CallSid), built but not sent. */
  buildIncomingCall(input: Parameters<SimulatedVoice['buildIncomingCall']>[0]): SignedWebhook & { callSid: string } {
    return this.voice.buildIncomingCall(input);
  }

  /**
   * A signed `<Connect action>` request, built but not sent: SessionStatus=ended with HandoffData, or (handoffData
   * null) SessionStatus=completed as after the caller hung up.
   */
  buildConversationEnd(input: Parameters<SimulatedVoice['buildConversationEnd']>[0]): SignedWebhook {
    return this.voice.buildConversationEnd(input);
  }

  /** A signed call status callback for any call SID and status, built but not sent. */
  buildCallStatusCallback(input: Parameters<SimulatedVoice['buildCallStatusCallback']>[0]): SignedWebhook {
    return this.voice.buildCallStatusCallback(input);
  }

  /** Resolves once every status progression and callback scheduled so far has finished. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * A signed inbound-SMS webhook, built but not sent (for tests that hand it to a handler directly): from the account
   * holding `to`, signed with its auth token (a subaccount's own, once the number was moved there).
   */
  buildInboundSms(input: InboundSmsInjection): SignedWebhook & { messageSid: string } {
    const holder = this.account.holderOf(input.to);
    const params = inboundSmsForm(holder, input);
    const webhook = signTwilioWebhook(this.account.tokenOf(holder), input.url, params, input.signature ?? 'valid');
    return { ...webhook, messageSid: params.MessageSid ?? '' };
  }

  /** A signed status callback for any message SID and status, built but not sent. */
  buildStatusCallback(input: {
    url: string; messageSid: string; status: string; errorCode?: number | string | null;
    from?: string; to?: string; signature?: SignatureMode;
  }): SignedWebhook {
    const known = this.messages.find((m) => m.sid === input.messageSid);
    const from = input.from ?? known?.from ?? this.ownedNumbers[0] ?? '';
    // A message sent with a subaccount's credentials is the subaccount's: its callbacks are signed with its token.
    const accountSid = known?.accountSid ?? this.account.holderOf(from);
    const params = statusCallbackForm({
      messageSid: input.messageSid,
      accountSid,
      from,
      to: input.to ?? known?.to ?? '',
      status: input.status,
      errorCode: input.errorCode,
      messagingServiceSid: known?.messagingServiceSid,
    });
    return signTwilioWebhook(this.account.tokenOf(accountSid), input.url, params, input.signature ?? 'valid');
  }

  /** POSTs a Twilio-shaped inbound SMS to `url`, signed (or not) as asked; resolves with the receiver's answer. */
  async injectInboundSms(input: InboundSmsInjection): Promise<InboundDelivery> {
    const webhook = this.buildInboundSms(input);
    this.inboundBySid.set(webhook.messageSid, webhook);
    return this.deliverInbound(webhook, webhook.messageSid);
  }

  /**
   * A person texts one of the account's numbers: the signed inbound SMS goes to the SmsUrl configured on that
   * number (IncomingPhoneNumbers), as Twilio routes it.
   */
  async textNumber(input: Omit<InboundSmsInjection, 'url'>): Promise<InboundDelivery> {
    const number = this.phoneNumbers.byNumber(input.to);
    if (!number?.smsUrl) throw new Error(`The account holds no ${input.to} with an SmsUrl`);
    return this.injectInboundSms({ ...input, url: number.smsUrl });
  }

  /** Sends an earlier inbound SMS again, byte for byte (same MessageSid and idempotency token), as Twilio retries. */
  async redeliverInboundSms(messageSid: string, options: { signature?: SignatureMode } = {}): Promise<InboundDelivery> {
    const original = this.inboundBySid.get(messageSid);
    if (!original) throw new Error(`No inbound SMS ${messageSid} was injected`);
    const webhook = options.signature
      ? signTwilioWebhook(this.account.tokenOf(original.params.AccountSid ?? this.accountSid), original.url, original.params, options.signature, original.headers['i-twilio-idempotency-token'])
      : original;
    return this.deliverInbound(webhook, messageSid);
  }

  private async deliverInbound(webhook: SignedWebhook, messageSid: string): Promise<InboundDelivery> {
    const answer = await postWebhook(webhook, this.webhookTimeoutMs);
    const delivery = { ...answer, messageSid };
    this.inboundDeliveries.push({ ...delivery, url: webhook.url });
    return delivery;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const target = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const query = parseForm(target.search.slice(1));
    const params = method === 'POST' ? parseForm(raw) : query;
    const headers = flattenHeaders(req);
    this.requests.push({ method, path: target.pathname, params, query, headers });

    // Faults play on writes only: a read the client makes in the background (fetching a finished
    // message's price) must not take the fault a test armed for its next send.
    const fault = method === 'POST' ? this.faults.take() : null;
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'fail') {
      const extra = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : undefined;
      this.send(res, { status: fault.status, body: twilioErrors.serverFault(fault.status) }, extra);
      return;
    }

    const auth = this.keys.authenticate(headers.authorization) ?? this.subaccounts.authenticate(headers.authorization);
    if (!auth) {
      this.send(res, { status: 401, body: twilioErrors.authenticate() }, { 'www-authenticate': 'Basic realm="Twilio API"' });
      return;
    }
    // The main account's credentials (or its API keys) act on it, a subaccount's on that subaccount only.
    const numbers = this.phoneNumbers.route(method, target.pathname, params, query, auth.as === 'subaccount' ? auth.accountSid : this.accountSid);
    if (numbers === 'hang') return;
    if (numbers === 'drop') {
      req.socket.destroy();
      return;
    }
    if (numbers) {
      this.send(res, numbers);
      return;
    }
    const media = this.voice.recorder.media(method, target.pathname);
    if (media) {
      res.writeHead(media.status, { 'content-type': media.status === 200 ? 'audio/x-wav' : 'application/json', 'content-length': media.bytes.length });
      res.end(media.bytes);
      return;
    }
    this.send(res, this.route(method, target.pathname, params, query, auth));
  }

  private route(method: string, path: string, params: FormParams, query: FormParams, auth: Authenticated): ApiAnswer {
    const accounts = this.subaccounts.route(method, path, params, auth);
    if (accounts) {
      const template = path === SPEC_ACCOUNTS ? SPEC_ACCOUNTS : SPEC_ACCOUNT;
      this.specViolations.push(...this.spec.checkQuery(method, template, query));
      if (method === 'POST') this.specViolations.push(...this.spec.checkForm(method, template, params));
      return accounts;
    }
    const keys = this.keys.route(method, path, params, auth);
    if (keys) {
      const template = path.endsWith('/Balance.json') ? SPEC_BALANCE : path.endsWith('/Keys.json') ? SPEC_KEYS : SPEC_KEY;
      this.specViolations.push(...this.spec.checkQuery(method, template, query));
      if (method === 'POST') this.specViolations.push(...this.spec.checkForm(method, template, params));
      return keys;
    }
    const calls = this.voice.route(method, path, params, query);
    if (calls) return calls;
    const list = MESSAGES_PATH.exec(path);
    const single = MESSAGE_PATH.exec(path);
    const pathAccount = list?.[1] ?? single?.[1];
    // The main account's credentials act on it, a subaccount's on that subaccount only.
    const actingAs = auth.as === 'subaccount' ? auth.accountSid : this.accountSid;
    if (pathAccount !== undefined && pathAccount !== actingAs) return { status: 401, body: twilioErrors.authenticate() };

    if (list && method === 'POST') {
      this.specViolations.push(...this.spec.checkQuery(method, SPEC_MESSAGES, query));
      this.specViolations.push(...this.spec.checkForm(method, SPEC_MESSAGES, params));
      // A subaccount sends from the account's numbers here (the simulator does not model number transfers).
      const { answer, accepted } = this.api.create(params, actingAs);
      if (accepted) this.track(this.progress(accepted));
      return answer;
    }
    if (list && method === 'GET') {
      this.specViolations.push(...this.spec.checkQuery(method, SPEC_MESSAGES, query));
      return this.api.list(path, query);
    }
    if (single && method === 'GET') {
      this.specViolations.push(...this.spec.checkQuery(method, SPEC_MESSAGE, query));
      return this.api.fetch(path, single[2] ?? '');
    }
    if (list || single) return METHOD_NOT_ALLOWED;
    const account = ACCOUNT_PATH.exec(path);
    if (account && method === 'GET') {
      this.specViolations.push(...this.spec.checkQuery(method, SPEC_ACCOUNT, query));
      // A standard API key may not read the Account resource: only the account's own credentials do.
      if (auth.as !== 'account') return { status: 401, body: twilioErrors.authenticate() };
      // Credentials were checked above; another account's SID is not visible to them.
      if (account[1] !== this.accountSid) return { status: 404, body: twilioErrors.notFound(path) };
      return { status: 200, body: accountResource(this.accountSid, path) };
    }
    return { status: 404, body: twilioErrors.notFound(path) };
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** The far side: the message moves through its statuses, each one reported to StatusCallback if given. */
  private async progress(message: SimulatedMessage): Promise<void> {
    const generation = this.generation;
    const failure = this.deliveryFailure;
    const statuses = [...this.callbackStatuses];
    if (failure && statuses.length > 0) statuses[statuses.length - 1] = failure.status;
    for (const status of statuses) {
      await sleep(this.callbackDelayMs);
      if (generation !== this.generation) return;
      const failed = failure !== null && status === failure.status;
      if (status !== message.status) {
        this.api.advance(message, status, failed ? failure.errorCode : null, failed ? failure.errorMessage : null);
      }
      if (message.statusCallback) await this.sendCallback(message, status, failed ? failure.errorCode : null);
    }
  }

  private async sendCallback(message: SimulatedMessage, status: string, errorCode: number | null): Promise<void> {
    const webhook = this.buildStatusCallback({
      url: message.statusCallback ?? '', messageSid: message.sid, status, errorCode,
    });
    const record: RecordedCallback = {
      url: webhook.url, messageSid: message.sid, messageStatus: status, params: webhook.params,
      headers: webhook.headers, status: null, error: null,
    };
    this.callbacks.push(record);
    try {
      record.status = (await postWebhook(webhook, this.webhookTimeoutMs)).status;
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
  }

  private send(res: ServerResponse, answer: ApiAnswer, extraHeaders: Record<string, string> = {}): void {
    const body = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'twilio-request-id': `RQ${randomBytes(16).toString('hex')}`,
      ...extraHeaders,
    });
    res.end(body);
  }
}

/** The account resource as Twilio answers GET /2010-04-01/Accounts/{Sid}.json (the fields an SDK reads). */
function accountResource(sid: string, path: string): Record<string, unknown> {
  return {
    sid, owner_account_sid: sid, friendly_name: 'Simulated account', status: 'active', type: 'Full', auth_token: '[hidden]',
    date_created: 'Mon, 30 Nov 2026 10:00:00 +0000', date_updated: 'Mon, 30 Nov 2026 10:00:00 +0000', uri: path, subresource_uris: {},
  };
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
