import { CalleeFetcher, type RecordedVoiceRequest } from './callee-fetcher.js';
import { callStatusForm, conversationEndForm, voiceRequestForm, type CallDirection } from './call-webhook-forms.js';
import { SimulatedCallsApi } from './calls-api.js';
import type { FormParams } from './form-params.js';
import { loopbackGet } from './loopback-get.js';
import type { ApiAnswer } from './messages-api.js';
import type { SimulatedAccount } from './simulated-account.js';
import { ConversationRegistry } from './conversation-registry.js';
import { SimulatedCallee, type CalleeBehaviour, type PlaybackProblem, type TwimlProblem } from './simulated-callee.js';
import type { SimulatedConversation } from './simulated-conversation.js';
import type { SimulatedMediaStream } from './simulated-media-stream.js';
import { SimulatedRecordings } from './simulated-recordings.js';
import type { SimulatedCall } from './twilio-call-resource.js';
import { twilioErrors } from './twilio-error-body.js';
import { newSid } from './twilio-message-resource.js';
import type { TwilioOpenApiSpec, SpecViolation } from './twilio-openapi-spec.js';
import { postWebhook, signTwilioWebhook, type SignatureMode, type SignedWebhook } from './twilio-webhook-signing.js';

export interface RecordedCallCallback {
  url: string;
  method: 'GET' | 'POST';
  callSid: string;
  callStatus: string;
  sequenceNumber: number;
  params: Record<string, string>;
  headers: Record<string, string>;
  /** What the receiver answered; null when it did not answer (see `error`). */
  status: number | null;
  error: string | null;
}

export interface SimulatedVoiceOptions {
  account: SimulatedAccount;
  now: () => Date;
  spec: TwilioOpenApiSpec;
  /** The simulator's list: Calls requests add theirs to it. */
  specViolations: SpecViolation[];
  /** Registers background work, so that `settled()` waits for it. */
  track(work: Promise<void>): void;
  stepDelayMs: number;
  webhookTimeoutMs: number;
  msPerCallSecond: number;
  ringSeconds: number;
  defaultAudioSeconds: number;
  /** How long `say()` and `nextReply()` wait for a complete reply (ms). */
  replyTimeoutMs: number;
  /** The simulator's own origin (recording URLs point at it). */
  baseUrl: () => string;
}

/** A call that comes in to one of the account's numbers. */
export interface IncomingCallInput {
  /** The number's voice URL (our server's incoming-call webhook). */
  voiceUrl: string;
  from: string;
  to: string;
  /** How the voice webhook is signed. Default 'valid'. */
  signature?: SignatureMode;
  /** How the relay socket's upgrade is signed. Default: as set by `signRelayUpgrades` ('valid'). */
  socketSignature?: SignatureMode;
  /** The number's status callback: it reports the end of the call (`completed`). */
  statusCallbackUrl?: string;
}

/** The incoming call was not connected to a ConversationRelay socket: the voice webhook answered something else. */
export class CallNotConnectedError extends Error {
  override readonly name = 'CallNotConnectedError';

  constructor(
    readonly call: SimulatedCall,
    readonly voiceRequest: RecordedVoiceRequest | undefined,
    readonly problems: TwimlProblem[],
  ) {
    const answer = voiceRequest?.status !== null && voiceRequest?.status !== undefined ? `HTTP ${voiceRequest.status}` : voiceRequest?.error ?? 'no request';
    const why = problems.map((problem) => problem.reason).join('; ');
    super(`The incoming call ${call.sid} was not connected to a conversation (voice webhook: ${answer}${why ? `; ${why}` : ''})`);
  }
}

const CALLS_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\.json$/;
const CALL_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Calls\/([^/]+)\.json$/;
const SPEC_CALLS = '/2010-04-01/Accounts/{AccountSid}/Calls.json';
const SPEC_CALL = '/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json';
const MAX_CALLBACK_ANSWER_BYTES = 64 * 1024;

export const METHOD_NOT_ALLOWED: ApiAnswer = {
  status: 405, body: { code: 20004, message: 'Method not allowed', more_info: 'https://www.twilio.com/docs/errors/20004', status: 405 },
};

/** The voice half of the simulator: the Calls resource, and the callees of the calls it places. */
export class SimulatedVoice {
  readonly calls: SimulatedCall[] = [];
  readonly callCallbacks: RecordedCallCallback[] = [];
  readonly voiceRequests: RecordedVoiceRequest[] = [];
  readonly playbackProblems: PlaybackProblem[] = [];
  readonly twimlProblems: TwimlProblem[] = [];
  readonly conversations: SimulatedConversation[];
  private readonly registry: ConversationRegistry;
  readonly recorder: SimulatedRecordings;
  private readonly api: SimulatedCallsApi;
  private readonly fetcher: CalleeFetcher;
  private readonly liveCallees = new Map<string, SimulatedCallee>();
  private behaviour: CalleeBehaviour = 'answer';
  private readonly behaviourByNumber = new Map<string, CalleeBehaviour>();
  private readonly machineByNumber = new Map<string, { answeredBy: string; greetingSeconds: number }>();

  constructor(private readonly options: SimulatedVoiceOptions) {
    this.api = new SimulatedCallsApi(options.account, options.now, this.calls);
    this.fetcher = new CalleeFetcher({
      tokenOf: (accountSid) => options.account.tokenOf(accountSid),
      timeoutMs: options.webhookTimeoutMs,
      defaultAudioSeconds: options.defaultAudioSeconds,
      record: (request) => this.voiceRequests.push(request),
    });
    this.registry = new ConversationRegistry({
      account: options.account,
      connectTimeoutMs: options.webhookTimeoutMs,
      replyTimeoutMs: options.replyTimeoutMs,
    });
    this.conversations = this.registry.conversations;
    this.recorder = new SimulatedRecordings(options.account, options.baseUrl, options.webhookTimeoutMs);
  }

  signRelayUpgrades(mode: SignatureMode): void {
    this.registry.signUpgrades(mode);
  }

  /** The call's latest conversation, once its socket is open (or refused). */
  waitForConversation(callSid: string, timeoutMs: number): Promise<SimulatedConversation> {
    return this.registry.wait(callSid, timeoutMs);
  }

  /**
   * A person calls `to`: Twilio POSTs the signed voice webhook while it rings, and runs the TwiML answered. Resolves
   * with the conversation once its socket is open (or the upgrade was refused); rejects with `CallNotConnectedError`
   * when the answer was no `<Connect><ConversationRelay>`.
   */
  async placeIncomingCall(input: IncomingCallInput): Promise<SimulatedConversation> {
    const call = this.api.receive(input.from, input.to, input.voiceUrl);
    if (input.statusCallbackUrl) call.statusCallback = input.statusCallbackUrl;
    if (input.socketSignature) this.registry.signUpgrades(input.socketSignature, call.sid);
    const run = this.place(call, input.signature ?? 'valid');
    const waitMs = this.options.webhookTimeoutMs * 3;
    await Promise.race([this.registry.wait(call.sid, waitMs).catch(() => undefined), run]);
    const conversation = this.registry.latest(call.sid);
    if (!conversation) {
      const voiceRequest = this.voiceRequests.findLast((request) => request.callSid === call.sid);
      throw new CallNotConnectedError(call, voiceRequest, this.twimlProblems.filter((problem) => problem.callSid === call.sid));
    }
    await conversation.whenReady();
    return conversation;
  }

  /** The call's latest Media Stream, once its socket is open (or refused). */
  waitForMediaStream(callSid: string, timeoutMs: number): Promise<SimulatedMediaStream> {
    return this.registry.waitForMediaStream(callSid, timeoutMs);
  }

  /** A person calls `to` and the voice webhook answers `<Connect><Stream>`: resolves with the stream once open (or refused). */
  async placeIncomingStreamCall(input: IncomingCallInput): Promise<SimulatedMediaStream> {
    const call = this.api.receive(input.from, input.to, input.voiceUrl);
    if (input.statusCallbackUrl) call.statusCallback = input.statusCallbackUrl;
    if (input.socketSignature) this.registry.signUpgrades(input.socketSignature, call.sid);
    const run = this.place(call, input.signature ?? 'valid');
    await Promise.race([this.registry.waitForMediaStream(call.sid, this.options.webhookTimeoutMs * 3).catch(() => undefined), run]);
    const stream = this.registry.latestMediaStream(call.sid);
    if (!stream) {
      const voiceRequest = this.voiceRequests.findLast((request) => request.callSid === call.sid);
      throw new CallNotConnectedError(call, voiceRequest, this.twimlProblems.filter((problem) => problem.callSid === call.sid));
    }
    await stream.whenReady();
    return stream;
  }

  /** Calls to `to` placed with MachineDetection are answered by this (Twilio's AnsweredBy values); default human. */
  detectAs(to: string, answeredBy: string, greetingSeconds = 4): void {
    this.machineByNumber.set(to, { answeredBy, greetingSeconds });
  }

  answerCalls(behaviour: CalleeBehaviour, to?: string): void {
    if (to) this.behaviourByNumber.set(to, behaviour);
    else this.behaviour = behaviour;
  }

  buildCallStatusCallback(input: {
    url: string; callSid: string; status: string; callDurationSeconds?: number; sequenceNumber?: number;
    from?: string; to?: string; direction?: CallDirection; timestamp?: Date; signature?: SignatureMode;
  }): SignedWebhook {
    const { account } = this.options;
    const known = this.calls.find((c) => c.sid === input.callSid);
    const from = input.from ?? known?.from ?? [...account.ownedNumbers][0] ?? '';
    const accountSid = known?.accountSid ?? account.holderOf(from);
    const params = callStatusForm(
      { sid: input.callSid, accountSid, from, to: input.to ?? known?.to ?? '', direction: input.direction ?? known?.direction },
      {
        callStatus: input.status,
        sequenceNumber: input.sequenceNumber ?? 0,
        timestamp: input.timestamp ?? this.options.now(),
        callDurationSeconds: input.callDurationSeconds,
      },
    );
    return signTwilioWebhook(account.tokenOf(accountSid), input.url, params, input.signature ?? 'valid');
  }

  /** A signed incoming-call voice webhook (a new CallSid), built but not sent: from the account holding `to`. */
  buildIncomingCall(input: { url: string; from: string; to: string; signature?: SignatureMode }): SignedWebhook & { callSid: string } {
    const { account } = this.options;
    const callSid = newSid('CA');
    const accountSid = account.holderOf(input.to);
    const params = voiceRequestForm({ sid: callSid, accountSid, from: input.from, to: input.to, direction: 'inbound', status: 'ringing' });
    return { ...signTwilioWebhook(account.tokenOf(accountSid), input.url, params, input.signature ?? 'valid'), callSid };
  }

  /** A signed `<Connect action>` request of a ConversationRelay session, built but not sent. */
  buildConversationEnd(input: {
    url: string; callSid: string; handoffData: string | null; from?: string; to?: string; direction?: 'inbound' | 'outbound-api';
    signature?: SignatureMode;
  }): SignedWebhook {
    const { account } = this.options;
    const known = this.calls.find((c) => c.sid === input.callSid);
    const parties = {
      sid: input.callSid,
      accountSid: known?.accountSid ?? account.accountSid,
      from: input.from ?? known?.from ?? '',
      to: input.to ?? known?.to ?? [...account.ownedNumbers][0] ?? '',
      direction: input.direction ?? known?.direction ?? 'inbound',
    };
    const params = conversationEndForm(parties, {
      sessionId: newSid('VX'),
      // Handoff data comes only with our own `end` message; without it the caller hung up.
      sessionStatus: input.handoffData === null ? 'completed' : 'ended',
      sessionDurationSeconds: 42,
      ...(input.handoffData === null ? {} : { handoffData: input.handoffData }),
    });
    return signTwilioWebhook(account.tokenOf(parties.accountSid), input.url, params, input.signature ?? 'valid');
  }

  /** Stops every live call quietly (no more status changes or callbacks). */
  abandon(): void {
    for (const callee of this.liveCallees.values()) callee.abandon();
    this.liveCallees.clear();
  }

  reset(): void {
    this.abandon();
    this.registry.reset();
    this.calls.length = 0;
    this.callCallbacks.length = 0;
    this.voiceRequests.length = 0;
    this.playbackProblems.length = 0;
    this.twimlProblems.length = 0;
    this.recorder.reset();
    this.behaviour = 'answer';
    this.behaviourByNumber.clear();
    this.machineByNumber.clear();
  }

  /** Calls.json (create) and Calls/{Sid}.json (fetch, update); null for any other path. */
  route(method: string, path: string, params: FormParams, query: FormParams): ApiAnswer | null {
    const list = CALLS_PATH.exec(path);
    const single = CALL_PATH.exec(path);
    if (!list && !single) return null;
    if ((list?.[1] ?? single?.[1]) !== this.options.account.accountSid) return { status: 401, body: twilioErrors.authenticate() };
    const template = list ? SPEC_CALLS : SPEC_CALL;
    if (list && method === 'POST') {
      this.checkSpec(method, template, params, query);
      const { answer, accepted } = this.api.create(params);
      if (accepted) this.place(accepted);
      return answer;
    }
    if (single && method === 'GET') {
      this.checkSpec(method, template, {}, query);
      return this.api.fetch(path, single[2] ?? '');
    }
    if (single && method === 'POST') {
      this.checkSpec(method, template, params, query);
      const { answer, call, change } = this.api.update(path, single[2] ?? '', params);
      if (answer || !call) return answer ?? { status: 404, body: twilioErrors.notFound(path) };
      this.liveCallees.get(call.sid)?.change(change);
      return this.api.fetch(path, call.sid);
    }
    return METHOD_NOT_ALLOWED;
  }

  private checkSpec(method: string, template: string, params: FormParams, query: FormParams): void {
    const { spec, specViolations } = this.options;
    specViolations.push(...spec.checkQuery(method, template, query));
    if (method === 'POST') specViolations.push(...spec.checkForm(method, template, params));
  }

  /** Hands a new call to its callee, which runs it to the end in the background; resolves when it ended. */
  private place(call: SimulatedCall, voiceSignature: SignatureMode = 'valid'): Promise<void> {
    const { options } = this;
    const behaviour = call.direction === 'inbound' ? 'answer' : this.behaviourByNumber.get(call.to) ?? this.behaviour;
    const callee = new SimulatedCallee(call, behaviour, {
      fetcher: this.fetcher,
      voiceSignature,
      startConversation: (target, verb) => this.registry.start(target, verb),
      startMediaStream: (target, verb) => this.registry.startMediaStream(target, verb),
      msPerCallSecond: options.msPerCallSecond,
      stepDelayMs: options.stepDelayMs,
      ringSeconds: options.ringSeconds,
      now: options.now,
      advance: (target, status) => this.api.advance(target, status),
      machineAnswer: (target) => this.machineByNumber.get(target.to) ?? { answeredBy: 'human', greetingSeconds: 0 },
      sendStatus: (target, event) => this.sendCallback(target, event.callStatus, event.sequenceNumber, event.callDurationSeconds),
      playbackProblem: (problem) => this.playbackProblems.push(problem),
      twimlProblem: (problem) => this.twimlProblems.push(problem),
    });
    this.liveCallees.set(call.sid, callee);
    const run = callee.run().then(() => this.recorder.callEnded(call)).finally(() => {
      this.liveCallees.delete(call.sid);
      this.registry.callEnded(call.sid);
    });
    options.track(run);
    return run;
  }

  private async sendCallback(call: SimulatedCall, callStatus: string, sequenceNumber: number, callDurationSeconds?: number): Promise<void> {
    const url = call.statusCallback ?? '';
    const method = call.statusCallbackMethod;
    const post = this.buildCallStatusCallback({ url, callSid: call.sid, status: callStatus, sequenceNumber, callDurationSeconds });
    // GET carries the fields in the query string, and the signature covers that full URL with no body fields.
    let webhook = post;
    if (method === 'GET') {
      const target = new URL(url);
      for (const [key, value] of Object.entries(post.params)) target.searchParams.append(key, value);
      webhook = signTwilioWebhook(this.options.account.tokenOf(call.accountSid), target.toString(), {}, 'valid');
    }
    const record: RecordedCallCallback = {
      url: webhook.url, method, callSid: call.sid, callStatus, sequenceNumber, params: post.params,
      headers: webhook.headers, status: null, error: null,
    };
    this.callCallbacks.push(record);
    try {
      const answer = method === 'GET'
        ? await loopbackGet(webhook.url, webhook.headers, this.options.webhookTimeoutMs, MAX_CALLBACK_ANSWER_BYTES)
        : await postWebhook(webhook, this.options.webhookTimeoutMs);
      record.status = answer.status;
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
  }
}
