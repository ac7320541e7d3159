import { decodeMulaw } from '../audio/mulaw.js';
import { pcm16FromLittleEndian } from '../audio/pcm16.js';
import { VoiceActivityDetector } from '../audio/voice-activity.js';
import { DomainError, type ErrorCode } from '../../ports/errors.js';
import type { SttCapabilities, SttEvent, SttPort, SttStream, SttStreamRequest } from '../../ports/stt.js';

export interface MockSttOptions {
  /** What the demo recogniser "hears", one phrase per utterance, in turn. Default `['Hello?']`. */
  phrases?: string[];
  /** Silence that ends an utterance (ms). Default 300. */
  endpointingMs?: number;
}

export const DEFAULT_MOCK_PHRASES = ['Hello?'];

/**
 * The `stt` port without a provider: it finds utterances in the audio by their energy and reports, for
 * each, the next scripted phrase (`hear`), else the configured phrases in turn. Failures can be injected.
 */
export class MockStt implements SttPort {
  readonly capabilities: SttCapabilities = { encodings: ['mulaw', 'linear16'], interimResults: true };
  private readonly scripted: string[] = [];
  private readonly failures: ErrorCode[] = [];
  private readonly streams = new Set<MockSttStream>();
  private phraseIndex = 0;
  /** Streams opened so far. */
  opened = 0;

  constructor(private readonly options: MockSttOptions = {}) {}

  /** The next utterance is heard as `text`. */
  hear(...texts: string[]): void {
    this.scripted.push(...texts);
  }

  /** The next `open` fails with this code (default PROVIDER_UNAVAILABLE). */
  failNextOpen(code: ErrorCode = 'PROVIDER_UNAVAILABLE'): void {
    this.failures.push(code);
  }

  /** Every open stream fails as a dropped connection would. */
  dropStreams(): void {
    for (const stream of this.streams) stream.fail(new DomainError('PROVIDER_UNAVAILABLE', 'The mock recogniser dropped the stream.', 'Open a new stream.', { provider: 'mock' }));
  }

  async open(request: SttStreamRequest, listener: (event: SttEvent) => void): Promise<SttStream> {
    if (!this.capabilities.encodings.includes(request.encoding)) {
      throw new DomainError('INVALID_INPUT', `The mock recogniser does not take ${String(request.encoding)} audio.`, 'Send mulaw or linear16.', { provider: 'mock' });
    }
    const failure = this.failures.shift();
    if (failure) throw new DomainError(failure, `The mock recogniser was told to fail (${failure}).`, 'Retry; this failure was injected.', { provider: 'mock' });
    this.opened += 1;
    const stream = new MockSttStream(request, listener, () => this.nextPhrase(), this.options.endpointingMs ?? 300, () => this.streams.delete(stream));
    this.streams.add(stream);
    return stream;
  }

  async close(): Promise<void> {
    for (const stream of this.streams) stream.close();
  }

  private nextPhrase(): string {
    const scripted = this.scripted.shift();
    if (scripted !== undefined) return scripted;
    const phrases = this.options.phrases && this.options.phrases.length > 0 ? this.options.phrases : DEFAULT_MOCK_PHRASES;
    const phrase = phrases[this.phraseIndex % phrases.length] ?? '';
    this.phraseIndex += 1;
    return phrase;
  }
}

/** Speech this long gets an interim result (its first word) before the final one. */
const INTERIM_AFTER_SECONDS = 0.3;

class MockSttStream implements SttStream {
  private readonly vad: VoiceActivityDetector;
  private ended = false;
  private phrase: string | null = null;
  private speechAt = 0;
  private interimSent = false;
  private lastWordEnd: number | null = null;

  constructor(
    private readonly request: SttStreamRequest,
    private readonly listener: (event: SttEvent) => void,
    private readonly nextPhrase: () => string,
    endpointingMs: number,
    private readonly forget: () => void,
  ) {
    this.vad = new VoiceActivityDetector({ sampleRate: request.sampleRate, silenceMs: endpointingMs });
  }

  send(audio: Uint8Array): void {
    if (this.ended) return;
    const samples = this.request.encoding === 'mulaw' ? decodeMulaw(audio) : pcm16FromLittleEndian(audio);
    for (const activity of this.vad.push(samples)) {
      if (activity.type === 'speech-start') {
        this.phrase = this.nextPhrase();
        this.speechAt = activity.atSeconds;
        this.interimSent = false;
        this.emit({ type: 'speech-started', atSeconds: activity.atSeconds });
      } else {
        this.emit({ type: 'transcript', text: this.phrase ?? '', isFinal: true, speechFinal: true, startSeconds: activity.startSeconds, endSeconds: activity.endSeconds });
        this.lastWordEnd = activity.endSeconds;
        this.phrase = null;
      }
    }
    if (this.phrase !== null && !this.interimSent && this.vad.seconds - this.speechAt >= INTERIM_AFTER_SECONDS) {
      this.interimSent = true;
      const firstWord = this.phrase.split(/\s+/)[0] ?? '';
      this.emit({ type: 'transcript', text: firstWord, isFinal: false, speechFinal: false, startSeconds: this.speechAt, endSeconds: this.vad.seconds });
    }
  }

  async finish(): Promise<void> {
    if (this.ended) return;
    if (this.phrase !== null) {
      // Flushed mid-utterance: what was heard so far is final.
      this.emit({ type: 'transcript', text: this.phrase, isFinal: true, speechFinal: false, startSeconds: this.speechAt, endSeconds: this.vad.seconds });
      this.lastWordEnd = this.vad.seconds;
    }
    if (this.lastWordEnd !== null) this.emit({ type: 'utterance-end', lastWordEndSeconds: this.lastWordEnd });
    this.end({ type: 'closed' });
  }

  close(): void {
    this.end({ type: 'closed' });
  }

  fail(error: DomainError): void {
    this.end({ type: 'error', error });
  }

  private end(event: SttEvent): void {
    if (this.ended) return;
    this.emit(event);
    this.ended = true;
    this.forget();
  }

  private emit(event: SttEvent): void {
    if (!this.ended) this.listener(event);
  }
}
