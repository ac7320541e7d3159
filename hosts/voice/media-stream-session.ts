import type { WebSocket } from 'ws';
import type { CorePorts } from '../../core/context.js';
import { CallerTurns, callerSpeaks } from '../../core/conversation/caller-turns.js';
import type { LiveConversation } from '../../core/conversation/live-conversation.js';
import { endConversation, startConversation, storeHandoff } from '../../core/conversation/start-conversation.js';
import { DomainError, isDomainError } from '../../ports/errors.js';
import type { Logger } from '../../ports/runtime.js';
import type { SttEvent, SttStream } from '../../ports/stt.js';
import type { MediaEvent, MediaFraming } from './media-framing.js';
import { PacedAudio } from './paced-audio.js';
import { ReplySpeaker } from './reply-speaker.js';

/** WebSocket close codes: 1000 normal (the conversation ended), 1008 refused setup, 1011 server error. */
const CLOSE_NORMAL = 1000;
const CLOSE_REFUSED = 1008;
const CLOSE_ERROR = 1011;
/** A recogniser that fails mid-call is reopened this often before the call goes on deaf. */
const MAX_STT_REOPENS = 3;
/** Caller audio kept while the recogniser opens (50 frames: one second). */
const MAX_EARLY_FRAMES = 50;

/**
 * One bidirectional media stream (Twilio Media Streams, Vonage's WebSocket endpoint: the provider's framing
 * says how it reads and writes): the caller's audio goes to the `stt` adapter, its turns to the same
 * LiveConversation the ConversationRelay path uses, and the replies come back through our `tts` adapter as
 * paced frames of the stream's audio. Barge-in: words from the caller while the agent is audible send
 * `clear`, cancel the reply, and keep only what was heard.
 */
export class MediaStreamSession {
  private conversation: LiveConversation | null = null;
  private speaker: ReplySpeaker | null = null;
  private audio: PacedAudio | null = null;
  private stt: SttStream | null = null;
  private starting = false;
  private ended = false;
  private readonly early: MediaEvent[] = [];
  private readonly earlyAudio: Uint8Array[] = [];
  private readonly turns = new CallerTurns();
  /** The ports' clock (ms) at the first frame of the current recognition stream: audio second 0. */
  private audioOrigin: number | null = null;
  private reopens = 0;
  private readonly logger: Logger;

  constructor(
    private readonly ports: CorePorts, private readonly ws: WebSocket, private readonly callId: string, logger: Logger,
    private readonly framing: MediaFraming,
  ) {
    this.logger = logger.child({ callId });
    ws.on('message', (data, isBinary) => {
      const message = framing.parse(data, isBinary);
      if (!message) return this.logger.warn({}, 'media stream: ignored a malformed message');
      this.receive(message);
    });
    ws.on('close', () => void this.finish());
    ws.on('error', (err) => this.logger.warn({ err: err.message }, 'media stream socket error'));
  }

  private receive(message: MediaEvent): void {
    switch (message.event) {
      case 'start':
        if (!this.starting) void this.start(message);
        return;
      case 'ignored':
        return;
      case 'stop':
        this.ws.close(CLOSE_NORMAL);
        return;
    }
    if (!this.conversation) {
      if (this.starting && message.event !== 'media') this.early.push(message);
      return;
    }
    switch (message.event) {
      case 'media':
        return this.hear(message.audio);
      case 'mark':
        return this.speaker?.played(message.name);
      case 'dtmf':
        return this.conversation.dtmf(message.digit);
    }
  }

  private async start(message: Extract<MediaEvent, { event: 'start' }>): Promise<void> {
    this.starting = true;
    const tts = this.ports.tts;
    const { framing } = this;
    if (!tts || !this.ports.stt || !message.supported) {
      this.logger.warn({ encoding: framing.audio.encoding }, 'media stream refused: no stt/tts adapter, or audio other than the stream\'s own');
      this.ws.close(CLOSE_REFUSED, 'media stream not supported');
      return;
    }
    const audio = new PacedAudio(framing.sink((data) => this.send(data)), undefined, framing.frames);
    this.audio = audio;
    try {
      const speaker = new ReplySpeaker({
        tts, audio, logger: this.logger, ended: (handoff) => void this.endWith(handoff), streamAudio: (mulaw) => framing.speech(mulaw),
      });
      const conversation = await startConversation(this.ports, this.callId, message.providerCallId ?? (await this.placedCallId()), speaker);
      speaker.voice = conversation.settings.voice;
      this.speaker = speaker;
      this.conversation = conversation;
      if (this.ended) return void endConversation(this.ports, conversation);
      if (!(await this.tryOpenRecogniser())) {
        // Without ears the call cannot go on; the caller hears why rather than silence.
        conversation.greet(this.ports.settings.voice.apology);
        conversation.hangUp();
        return;
      }
      if (conversation.settings.welcomeGreeting) conversation.greet(conversation.settings.welcomeGreeting);
      for (const pending of this.early.splice(0)) this.receive(pending);
    } catch (err) {
      this.logger.warn({ code: isDomainError(err) ? err.code : 'INTERNAL' }, 'media stream: setup refused');
      this.ws.close(isDomainError(err) && err.code !== 'INTERNAL' ? CLOSE_REFUSED : CLOSE_ERROR, 'setup refused');
    }
  }

  private async openRecogniser(): Promise<void> {
    const stt = this.ports.stt;
    const conversation = this.conversation;
    if (!stt || !conversation) return;
    this.audioOrigin = null;
    this.stt = await stt.port.open({ ...this.framing.audio, ...(conversation.settings.language ? { language: conversation.settings.language } : {}) }, (event) => this.recognised(event));
    for (const frame of this.earlyAudio.splice(0)) this.hear(frame);
  }

  private hear(frame: Uint8Array): void {
    if (!this.stt) {
      if (this.earlyAudio.length < MAX_EARLY_FRAMES) this.earlyAudio.push(frame);
      return;
    }
    this.audioOrigin ??= this.ports.clock.now().getTime();
    this.stt.send(frame);
  }

  private recognised(event: SttEvent): void {
    const conversation = this.conversation;
    const speaker = this.speaker;
    if (!conversation || !speaker || this.ended) return;
    if (callerSpeaks(event) && speaker.speaking && conversation.settings.interruptible) {
      conversation.interrupt(speaker.bargeIn());
    }
    const turn = this.turns.push(event);
    if (turn) {
      const finalAt = this.ports.clock.now().getTime();
      const speechEndAt = this.audioOrigin === null ? null : Math.min(finalAt, this.audioOrigin + turn.endSeconds * 1000);
      conversation.prompt(turn.text, { speechEndAt, finalAt });
    }
    if (event.type === 'error') void this.recogniserFailed(event.error.code);
  }

  private async recogniserFailed(code: string): Promise<void> {
    this.stt = null;
    this.logger.warn({ code, reopens: this.reopens }, 'media stream: the recogniser failed mid-call');
    if (this.ended || this.reopens >= MAX_STT_REOPENS) return;
    this.reopens += 1;
    await this.tryOpenRecogniser();
  }

  /** Opens the recogniser; a refusal is logged and answered false. */
  private async tryOpenRecogniser(): Promise<boolean> {
    try {
      await this.openRecogniser();
      return true;
    } catch (err) {
      this.logger.warn({ code: isDomainError(err) ? err.code : 'INTERNAL' }, 'media stream: the recogniser could not be opened');
      return false;
    }
  }

  /** The agent ended the conversation: remember why (the action webhook reads it), then close the stream. */
  private async endWith(handoffData: string): Promise<void> {
    await storeHandoff(this.ports, this.callId, handoffData);
    this.ws.close(CLOSE_NORMAL, 'conversation ended');
  }

  private async finish(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.audio?.close();
    const stt = this.stt;
    this.stt = null;
    stt?.close();
    if (this.conversation) await endConversation(this.ports, this.conversation);
  }

  /**
   * A provider that does not name the call on its socket (Vonage) opened the URL signed for this call: the call
   * it placed or answered is the one on record.
   */
  private async placedCallId(): Promise<string> {
    const call = await this.ports.db.calls.findById(this.callId);
    if (!call?.providerCallId) throw new DomainError('NOT_FOUND', `Call ${this.callId} has no provider call yet.`, 'Connect the socket once the call is placed or answered.', { callId: this.callId });
    return call.providerCallId;
  }

  private send(data: string | Uint8Array): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(data);
  }
}
