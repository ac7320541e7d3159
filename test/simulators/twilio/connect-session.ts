import type WebSocket from 'ws';
import type { RecordedVoiceRequest } from './callee-fetcher.js';
import { deferred } from './deferred.js';
import { openRelaySocket } from './relay-socket.js';
import type { DialedNumber } from './twilio-call-resource.js';
import type { VoiceVerb } from './twiml-voice-document.js';

export type ConversationState = 'connecting' | 'open' | 'refused' | 'failed' | 'closed';

/** Why the session ended. */
export type ConversationEnd =
  /** Our server sent `{"type":"end"}` (ConversationRelay) or closed the stream normally (Media Streams); `handoffData` as sent (null without). */
  | { by: 'agent'; handoffData: string | null }
  /** The caller hung up (`hangUp()`). */
  | { by: 'caller' }
  /** Our server closed the socket without `end`. */
  | { by: 'socket-closed'; code: number; reason: string }
  /** The socket could not be opened (refused upgrade, unreachable). */
  | { by: 'failed'; reason: string }
  /** Twilio ended it: the call was hung up or redirected through the REST API, or the simulator stopped. */
  | { by: 'provider' };

/**
 * What a `<Connect>` session (ConversationRelay or a Media Stream) shares: its socket's lifetime, how it ended, and
 * the `<Connect action>` exchange that followed.
 */
export abstract class ConnectSession {
  state: ConversationState = 'connecting';
  /** How the session ended; null while it lasts. */
  end: ConversationEnd | null = null;
  /** The `<Connect action>` request sent when the session ended, with the TwiML answered (null if none came). */
  actionRequest: RecordedVoiceRequest | null = null;
  actionAnswer: string | null = null;
  /** What the action's TwiML said to do next: the `<Dial>`ed number, or hang up. */
  dialed: DialedNumber | null = null;
  hungUp = false;
  /** Close code of the socket once closed. */
  closeCode: number | null = null;
  /** HTTP status of a refused upgrade (401, 403 …). */
  refusedStatus: number | null = null;
  /** Why the socket could not be opened. */
  failure: string | null = null;

  protected socket: WebSocket | null = null;
  protected readonly ended = deferred<ConversationEnd>();
  protected readonly ready = deferred<void>();
  protected readonly finished = deferred<void>();

  abstract readonly callSid: string;
  abstract readonly sessionId: string;

  /** Resolves with how the session ended (for the simulated Twilio side). */
  get outcome(): Promise<ConversationEnd> {
    return this.ended.promise;
  }

  /** Resolves once the socket is open and the first message sent, or the upgrade failed. */
  whenReady(): Promise<void> {
    return this.ready.promise;
  }

  /** Resolves once the whole call is over: action requested, status callbacks sent. */
  waitForEnd(): Promise<void> {
    return this.finished.promise;
  }

  /** Opens the socket as Twilio does; on a refusal or failure the session ends `failed` and null is returned. */
  protected async open(url: string, headers: Record<string, string>, timeoutMs: number): Promise<WebSocket | null> {
    const opening = await openRelaySocket(url, headers, timeoutMs);
    if (opening.ok) {
      this.socket = opening.socket;
      this.state = 'open';
      return opening.socket;
    }
    this.state = opening.status === null ? 'failed' : 'refused';
    this.refusedStatus = opening.status;
    this.failure = opening.reason;
    this.finishSession({ by: 'failed', reason: opening.reason });
    this.ready.resolve();
    return null;
  }

  /** Twilio closes the socket (after the action request, or when the call ended another way). */
  closeSocket(): void {
    const socket = this.socket;
    if (!socket || socket.readyState === socket.CLOSED || socket.readyState === socket.CLOSING) return;
    socket.close(1000, 'session ended');
    // A server that never answers the close handshake must not keep the simulator alive.
    setTimeout(() => socket.terminate(), 1000).unref();
  }

  /** The simulated Twilio side ends the session (REST hang-up, redirect, simulator stopped). */
  endByProvider(): void {
    this.finishSession({ by: 'provider' });
    this.closeSocket();
  }

  /** Records the `<Connect action>` exchange and what its TwiML asked for. */
  recordAction(request: RecordedVoiceRequest, twiml: string | null, verbs: VoiceVerb[] | null): void {
    this.actionRequest = request;
    this.actionAnswer = twiml;
    const dial = verbs?.find((verb) => verb.verb === 'Dial');
    if (dial?.verb === 'Dial') this.dialed = { number: dial.number, callerId: dial.callerId };
    // An empty document ends the call as surely as <Hangup/>.
    this.hungUp = verbs !== null && !dial && (verbs.length === 0 || verbs.some((verb) => verb.verb === 'Hangup'));
  }

  /** The call is over (the simulated Twilio side calls it once everything was sent). */
  markFinished(): void {
    this.finishSession({ by: 'provider' });
    this.closeSocket();
    this.ready.resolve();
    this.finished.resolve();
  }

  protected requireOpen(what: string): void {
    if (this.state !== 'open' || this.ended.settled) {
      throw new Error(`${what}: the session of ${this.callSid} is ${this.ended.settled ? 'over' : this.state}`);
    }
  }

  /** The first ending wins. */
  protected finishSession(end: ConversationEnd): void {
    if (this.ended.settled) return;
    this.end = end;
    this.onEnded();
    this.ended.resolve(end);
  }

  /** Subclasses release what waits on the session. */
  protected onEnded(): void {}
}
