import type { Provided } from '../../core/context.js';
import type { ConversationOutput, ReplyProgress } from '../../core/conversation/conversation-output.js';
import { isDomainError } from '../../ports/errors.js';
import type { Logger } from '../../ports/runtime.js';
import type { TtsPort } from '../../ports/tts.js';
import type { PacedAudio } from './paced-audio.js';
import { SentenceSplitter } from './sentences.js';

/** A sentence handed to the provider, known as heard once its mark comes back. */
interface Spoken {
  mark: string;
  text: string;
}

export interface ReplySpeakerOptions {
  tts: Provided<TtsPort>;
  audio: PacedAudio;
  logger: Logger;
  /** The conversation ends: `handoffData` says why (transfer or hang-up). Called once the audio has played. */
  ended(handoffData: string): void;
  /** How long `end` waits for the last words to play. */
  drainTimeoutMs?: number;
  /** The synthesised 8 kHz μ-law as the stream's own audio (Vonage: 16 kHz linear PCM); as is when absent. */
  streamAudio?(mulaw: Uint8Array): Uint8Array;
}

/**
 * The agent's voice on a media stream: the reply's tokens are cut into sentences, each synthesised as 8 kHz
 * μ-law as soon as it is complete (in parallel, played in order) and queued for paced playback with a mark
 * after it. Marks coming back say what the caller has heard, which is what a barge-in keeps.
 */
export class ReplySpeaker implements ConversationOutput {
  private readonly splitter = new SentenceSplitter();
  /** Bumped by a barge-in: syntheses of an earlier generation are dropped when they finish. */
  private generation = 0;
  private playback: Promise<void> = Promise.resolve();
  private synthesising = 0;
  private readonly unplayed: Spoken[] = [];
  private heard: string[] = [];
  private progress: ReplyProgress | null = null;
  private marks = 0;
  private drained: Array<() => void> = [];
  /** Voice of the TTS adapter (the call's settings); its default when absent. */
  voice: string | undefined;

  constructor(private readonly options: ReplySpeakerOptions) {}

  /** The agent is audible or about to be: text in hand, audio being made, or audio not yet played. */
  get speaking(): boolean {
    return this.synthesising > 0 || this.unplayed.length > 0 || !this.options.audio.idle;
  }

  replyStarted(progress: ReplyProgress): void {
    // Each milestone once per reply: its first audio, its first frame.
    let audio = false;
    let frame = false;
    this.progress = {
      firstAudio: () => { if (!audio) progress.firstAudio(); audio = true; },
      firstFrame: () => { if (!frame) progress.firstFrame(); frame = true; },
    };
    this.heard = [];
  }

  text(token: string, last: boolean): void {
    for (const sentence of this.splitter.push(token)) this.say(sentence);
    if (last) {
      const rest = this.splitter.flush();
      if (rest) this.say(rest);
    }
  }

  sendDigits(): void {
    // A media stream has no way to send tones without a synthesiser for them; the agent is told nothing was sent.
    this.options.logger.warn({}, 'media stream: sendDigits is not supported on this transport');
  }

  end(handoffData: string): void {
    void this.whenDrained(this.options.drainTimeoutMs ?? 10_000).then(() => this.options.ended(handoffData));
  }

  /** A mark came back: the sentences up to it have been played. */
  played(mark: string): void {
    const index = this.unplayed.findIndex((spoken) => spoken.mark === mark);
    if (index === -1) return;
    for (const spoken of this.unplayed.splice(0, index + 1)) this.heard.push(spoken.text);
    this.checkDrained();
  }

  /** The caller spoke over the agent: stop at once and return what of the current reply was heard. */
  bargeIn(): string {
    this.generation += 1;
    this.splitter.reset();
    this.unplayed.length = 0;
    this.synthesising = 0;
    this.playback = Promise.resolve();
    this.options.audio.clear();
    const heard = this.heard.join(' ');
    this.heard = [];
    this.checkDrained();
    return heard;
  }

  private say(sentence: string): void {
    const generation = this.generation;
    const progress = this.progress;
    this.synthesising += 1;
    const synthesis = this.synthesize(sentence).catch((err: unknown) => {
      this.options.logger.warn({ code: isDomainError(err) ? err.code : 'INTERNAL' }, 'media stream: speech synthesis failed; sentence skipped');
      return null;
    });
    this.playback = this.playback.then(async () => {
      const audio = await synthesis;
      if (generation !== this.generation) return;
      this.synthesising -= 1;
      if (audio) {
        progress?.firstAudio();
        const mark = `s${++this.marks}`;
        this.unplayed.push({ mark, text: sentence });
        const streamed = this.options.streamAudio ? this.options.streamAudio(audio.audio) : audio.audio;
        this.options.audio.enqueue(streamed, () => progress?.firstFrame());
        this.options.audio.mark(mark);
      }
      this.checkDrained();
    });
  }

  /**
   * A voice the TTS adapter does not offer (a ConversationRelay voice name left in the settings, say) must not
   * silence the call: the adapter's default voice speaks instead, once, and the voice is dropped.
   */
  private async synthesize(text: string) {
    const { tts } = this.options;
    if (!this.voice) return tts.port.synthesize({ text, format: 'ulaw_8000' });
    try {
      return await tts.port.synthesize({ text, format: 'ulaw_8000', voice: this.voice });
    } catch (err) {
      if (!isDomainError(err) || err.code !== 'UNKNOWN_VOICE') throw err;
      this.options.logger.warn({ plugin: tts.id }, 'media stream: the tts adapter has no such voice; its default voice speaks instead');
      this.voice = undefined;
      return tts.port.synthesize({ text, format: 'ulaw_8000' });
    }
  }

  private whenDrained(timeoutMs: number): Promise<void> {
    if (!this.speaking) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.drained.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private checkDrained(): void {
    if (this.speaking) return;
    for (const done of this.drained.splice(0)) done();
  }
}
