import { ConversationReplies, type ConversationReply, type Interruption } from './conversation-replies.js';
import { readRelayMessage } from './relay-messages.js';
import { relayUpgradeHeaders } from './relay-socket.js';
import { ConnectSession } from './connect-session.js';

export type { ConversationEnd, ConversationState } from './connect-session.js';
import type { ConversationRelayNoun } from './twiml-voice-document.js';
import type { SignatureMode } from './twilio-webhook-signing.js';

export type { ConversationReply, Interruption } from './conversation-replies.js';

/** A message our server sent on the socket, as received. */
export interface RelayMessage {
  /** Milliseconds since the socket opened. */
  atMs: number;
  raw: string;
  /** The parsed JSON object; null when it was not one. */
  message: Record<string, unknown> | null;
}

export interface ConversationOptions {
  callSid: string;
  accountSid: string;
  from: string;
  to: string;
  direction: 'inbound' | 'outbound-api';
  sessionId: string;
  relay: ConversationRelayNoun;
  actionUrl: string | null;
  authToken: string;
  /** How the upgrade is signed. */
  signature: SignatureMode;
  connectTimeoutMs: number;
  replyTimeoutMs: number;
}

/**
 * One ConversationRelay session, with the simulator playing Twilio and the caller: it opens our voice socket
 * (signed), sends `setup`, speaks prompts, key presses and interruptions, and records everything our server sends.
 */
export class SimulatedConversation extends ConnectSession {
  readonly callSid: string;
  readonly sessionId: string;
  readonly from: string;
  readonly to: string;
  readonly direction: 'inbound' | 'outbound-api';
  readonly relayUrl: string;
  /** The `<Connect action>` URL; null when the TwiML gave none. */
  readonly actionUrl: string | null;
  /** What Twilio spoke when the socket opened (`welcomeGreeting`); null for none. */
  readonly welcomeGreeting: string | null;
  /** The `<ConversationRelay>` noun as our server wrote it. */
  readonly relay: ConversationRelayNoun;
  /** The headers of the upgrade request (X-Twilio-Signature among them). */
  readonly upgradeHeaders: Record<string, string>;
  /** The `setup` message sent once the socket opened. */
  setup: Record<string, unknown> | null = null;
  /** Every message our server sent, in order. */
  readonly received: RelayMessage[] = [];
  /** Every message the simulator sent, raw, in order. */
  readonly sent: string[] = [];
  /** `play` sources, `sendDigits` digits and `language` changes our server asked for. */
  readonly played: string[] = [];
  readonly sentDigits: string[] = [];
  readonly languages: { ttsLanguage: string | null; transcriptionLanguage: string | null }[] = [];
  /** Messages Twilio could not act on (it logs 64107 and answers with an `error` message). */
  readonly invalidMessages: { raw: string; reason: string }[] = [];

  private openedAt = 0;
  private promptLanguage: string;
  private readonly replyTracker: ConversationReplies;

  constructor(private readonly options: ConversationOptions) {
    super();
    this.callSid = options.callSid;
    this.sessionId = options.sessionId;
    this.from = options.from;
    this.to = options.to;
    this.direction = options.direction;
    this.relay = options.relay;
    this.relayUrl = options.relay.url;
    this.actionUrl = options.actionUrl;
    this.welcomeGreeting = options.relay.welcomeGreeting;
    this.promptLanguage = options.relay.language ?? 'en-US';
    this.upgradeHeaders = relayUpgradeHeaders(options.authToken, options.relay.url, options.signature);
    this.replyTracker = new ConversationReplies((interruption) => this.send({ type: 'interrupt', ...interruption }), options.replyTimeoutMs);
  }

  /** Every reply of the agent so far, complete or interrupted. */
  get replies(): readonly ConversationReply[] {
    return this.replyTracker.replies;
  }

  /** The handoff data of the agent's `end` message; null otherwise. */
  get handoffData(): string | null {
    return this.end?.by === 'agent' ? this.end.handoffData : null;
  }

  /** The caller says `text`: a `prompt` is sent, and the agent's reply (its tokens until `last`) comes back. */
  async say(text: string, options: { interruptAfterTokens?: number; timeoutMs?: number } = {}): Promise<ConversationReply> {
    this.requireOpen('say');
    if (options.interruptAfterTokens !== undefined) void this.interruptAfterTokens(options.interruptAfterTokens);
    const index = this.replyTracker.prompted();
    this.send({ type: 'prompt', voicePrompt: text, lang: this.promptLanguage, last: true });
    return this.replyTracker.at(index, options.timeoutMs);
  }

  /** The next reply of the agent not yet returned (one after a key press, or spoken unprompted). */
  nextReply(options: { timeoutMs?: number } = {}): Promise<ConversationReply> {
    return this.replyTracker.next(options.timeoutMs);
  }

  /**
   * Interrupts the agent once the reply it is speaking (or the next one) has `n` tokens: `interrupt` carries those
   * tokens as `utteranceUntilInterrupt`, as Twilio would have spoken them. The reply then resolves `interrupted`.
   */
  interruptAfterTokens(n: number): Promise<Interruption> {
    return this.replyTracker.interruptAfterTokens(n);
  }

  /** Interrupts now; the utterance defaults to the tokens of the reply being spoken. */
  interrupt(utteranceUntilInterrupt?: string): Interruption {
    this.requireOpen('interrupt');
    const interruption = this.replyTracker.interrupt(utteranceUntilInterrupt);
    this.send({ type: 'interrupt', ...interruption });
    return interruption;
  }

  /** The caller presses a key (ConversationRelay reports it with `dtmfDetection`). */
  dtmf(digit: string): void {
    this.requireOpen('dtmf');
    this.replyTracker.prompted();
    this.send({ type: 'dtmf', digit });
  }

  /** Sends anything, as is: for tests of malformed messages. */
  sendRaw(data: string): void {
    this.requireOpen('sendRaw');
    this.sent.push(data);
    this.socket?.send(data);
  }

  /** The caller hangs up: the socket closes, Twilio requests the action URL, the call completes. */
  async hangUp(): Promise<void> {
    this.finishSession({ by: 'caller' });
    await this.finished.promise;
  }

  /** Opens the socket and sends `setup` (the simulated Twilio side calls it once). */
  async connect(): Promise<void> {
    const socket = await this.open(this.relayUrl, this.upgradeHeaders, this.options.connectTimeoutMs);
    if (!socket) return;
    this.openedAt = performance.now();
    socket.on('message', (data, isBinary) => this.receive(isBinary ? '' : data.toString()));
    socket.on('close', (code, reason) => this.closed(code, reason.toString()));
    socket.on('error', () => {
      // A broken socket also closes; the close handler reports it.
    });
    if (this.ended.settled) {
      // Hung up while the socket was opening.
      this.closeSocket();
    } else {
      this.setup = this.setupMessage();
      this.send(this.setup);
    }
    this.ready.resolve();
  }

  private setupMessage(): Record<string, unknown> {
    return {
      type: 'setup',
      sessionId: this.sessionId,
      accountSid: this.options.accountSid,
      parentCallSid: '',
      callSid: this.callSid,
      from: this.from,
      to: this.to,
      forwardedFrom: '',
      callType: 'PSTN',
      callerName: '',
      direction: this.direction,
      callStatus: this.direction === 'inbound' ? 'RINGING' : 'IN-PROGRESS',
      customParameters: { ...this.relay.parameters },
    };
  }

  private send(message: Record<string, unknown>): void {
    const raw = JSON.stringify(message);
    this.sent.push(raw);
    this.socket?.send(raw);
  }

  private receive(raw: string): void {
    const { message, inbound } = readRelayMessage(raw);
    this.received.push({ atMs: Math.round(performance.now() - this.openedAt), raw, message });
    switch (inbound.type) {
      case 'text':
        return this.replyTracker.token(inbound.token, inbound.last);
      case 'play':
        this.played.push(inbound.source);
        return;
      case 'sendDigits':
        this.sentDigits.push(inbound.digits);
        return;
      case 'language':
        this.languages.push({ ttsLanguage: inbound.ttsLanguage, transcriptionLanguage: inbound.transcriptionLanguage });
        this.promptLanguage = inbound.transcriptionLanguage ?? this.promptLanguage;
        return;
      case 'end':
        if (inbound.problem) this.invalid(raw, inbound.problem);
        return this.finishSession({ by: 'agent', handoffData: inbound.handoffData });
      case 'invalid':
        return this.invalid(raw, inbound.reason);
    }
  }

  private invalid(raw: string, reason: string): void {
    this.invalidMessages.push({ raw, reason });
    this.send({ type: 'error', description: `Invalid message received: ${raw.slice(0, 200)}` });
  }

  private closed(code: number, reason: string): void {
    this.state = 'closed';
    this.closeCode = code;
    this.finishSession({ by: 'socket-closed', code, reason });
  }

  /** Replies still awaited resolve `ended`. */
  protected override onEnded(): void {
    this.replyTracker.end();
  }
}
