import { SimulatedConversation } from './simulated-conversation.js';
import { SimulatedMediaStream } from './simulated-media-stream.js';
import type { SimulatedAccount } from './simulated-account.js';
import type { SimulatedCall } from './twilio-call-resource.js';
import { newSid } from './twilio-message-resource.js';
import type { ConnectVerb, ConversationRelayNoun, StreamNoun } from './twiml-voice-document.js';
import type { SignatureMode } from './twilio-webhook-signing.js';

export interface ConversationRegistryOptions {
  account: SimulatedAccount;
  /** How long the upgrade may take (ms). */
  connectTimeoutMs: number;
  /** How long `say()` waits for a complete reply (ms). */
  replyTimeoutMs: number;
}

/** Every ConversationRelay session the simulator opened, and the tests waiting for one. */
export class ConversationRegistry {
  readonly conversations: SimulatedConversation[] = [];
  /** Every bidirectional Media Stream (`<Connect><Stream>`), oldest first. */
  readonly mediaStreams: SimulatedMediaStream[] = [];
  private signature: SignatureMode = 'valid';
  private readonly signatureByCall = new Map<string, SignatureMode>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: ConversationRegistryOptions) {}

  /** How upgrades are signed from now on (`forged`/`missing` must be refused by the server). */
  signUpgrades(mode: SignatureMode, callSid?: string): void {
    if (callSid) this.signatureByCall.set(callSid, mode);
    else this.signature = mode;
  }

  /** Opens the session of a `<Connect><ConversationRelay>` in the background. */
  start(call: SimulatedCall, verb: ConnectVerb & { relay: ConversationRelayNoun }): SimulatedConversation {
    const conversation = new SimulatedConversation({
      callSid: call.sid,
      accountSid: call.accountSid,
      from: call.from,
      to: call.to,
      direction: call.direction,
      sessionId: newSid('VX'),
      relay: verb.relay,
      actionUrl: verb.action,
      authToken: this.options.account.tokenOf(call.accountSid),
      signature: this.signatureByCall.get(call.sid) ?? this.signature,
      connectTimeoutMs: this.options.connectTimeoutMs,
      replyTimeoutMs: this.options.replyTimeoutMs,
    });
    this.conversations.push(conversation);
    void conversation.connect().finally(() => this.notify());
    this.notify();
    return conversation;
  }

  /** Opens the Media Stream of a `<Connect><Stream>` in the background. */
  startMediaStream(call: SimulatedCall, verb: ConnectVerb & { stream: StreamNoun }): SimulatedMediaStream {
    const stream = new SimulatedMediaStream({
      callSid: call.sid,
      accountSid: call.accountSid,
      streamSid: newSid('MZ'),
      stream: verb.stream,
      actionUrl: verb.action,
      authToken: this.options.account.tokenOf(call.accountSid),
      signature: this.signatureByCall.get(call.sid) ?? this.signature,
      connectTimeoutMs: this.options.connectTimeoutMs,
    });
    this.mediaStreams.push(stream);
    void stream.connect().finally(() => this.notify());
    this.notify();
    return stream;
  }

  /** The call's latest Media Stream, once its socket is open and `start` sent (or the upgrade failed). */
  async waitForMediaStream(callSid: string, timeoutMs: number): Promise<SimulatedMediaStream> {
    const started = await this.waitFor(() => this.mediaStreams.findLast((stream) => stream.callSid === callSid), timeoutMs, `no Media Stream for call ${callSid}`);
    await started.whenReady();
    return started;
  }

  latestMediaStream(callSid: string): SimulatedMediaStream | undefined {
    return this.mediaStreams.findLast((stream) => stream.callSid === callSid);
  }

  /** The call is over: its sessions are finished (their sockets closed) and whoever waits is told. */
  callEnded(callSid: string): void {
    for (const conversation of this.conversations) if (conversation.callSid === callSid) conversation.markFinished();
    for (const stream of this.mediaStreams) if (stream.callSid === callSid) stream.markFinished();
    this.signatureByCall.delete(callSid);
    this.notify();
  }

  latest(callSid: string): SimulatedConversation | undefined {
    return this.conversations.findLast((conversation) => conversation.callSid === callSid);
  }

  /** The call's latest session, once its socket is open and `setup` sent (or the upgrade failed). */
  async wait(callSid: string, timeoutMs: number): Promise<SimulatedConversation> {
    const started = await this.waitFor(() => this.latest(callSid), timeoutMs, `no ConversationRelay session for call ${callSid}`);
    await started.whenReady();
    return started;
  }

  private waitFor<T>(find: () => T | undefined, timeoutMs: number, failure: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`${failure} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  reset(): void {
    for (const conversation of this.conversations) conversation.markFinished();
    this.conversations.length = 0;
    for (const stream of this.mediaStreams) stream.markFinished();
    this.mediaStreams.length = 0;
    this.signature = 'valid';
    this.signatureByCall.clear();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
