import { encodeMulaw } from '../audio/mulaw.js';
import { silentMp3 } from '../audio/silent-mp3.js';
import { checkSynthesisRequest, synthesizedAudio, unknownVoice } from '../audio/synthesis-request.js';
import { encodeWav } from '../audio/wav.js';
import { DomainError, type ErrorCode } from '../../ports/errors.js';
import type { AudioFormat, SynthesisRequest, SynthesizedAudio, TtsCapabilities, TtsPort } from '../../ports/tts.js';
import { keepRecent } from './recent-history.js';

export interface MockTtsOptions {
  /** Voices offered; the first is the default. Default `['mock-voice', 'mock-voice-2']`. */
  voices?: string[];
  maxTextLength?: number;
}

export const MOCK_TTS_VOICES = ['mock-voice', 'mock-voice-2'] as const;
export const DEFAULT_MOCK_MAX_TEXT_LENGTH = 5000;

/** Roughly the pace of speech, so that the silence lasts about as long as the text would. */
const MS_PER_CHARACTER = 60;
const MIN_MS = 300;
const MAX_MS = 10_000;

/** Silence of the requested format, as long as the text would take to say (demo mode, tests). */
export function silentAudio(format: AudioFormat, durationMs: number): Uint8Array {
  if (format === 'mp3') return silentMp3({ durationMs, sampleRate: 24000, bitrateKbps: 48 });
  const samples = new Int16Array(Math.round((durationMs * 8000) / 1000));
  return format === 'wav' ? encodeWav({ samples, sampleRate: 8000 }) : encodeMulaw(samples);
}

/** The `tts` port without a provider: valid, silent audio in every format, and injectable failures. */
export class MockTts implements TtsPort {
  readonly capabilities: TtsCapabilities;
  /** Every request that passed validation, oldest first. */
  readonly requests: SynthesisRequest[] = [];
  private readonly voices: readonly string[];
  private readonly failures: ErrorCode[] = [];

  constructor(options: MockTtsOptions = {}) {
    this.voices = options.voices && options.voices.length > 0 ? options.voices : MOCK_TTS_VOICES;
    this.capabilities = { formats: ['mp3', 'wav', 'ulaw_8000'], maxTextLength: options.maxTextLength ?? DEFAULT_MOCK_MAX_TEXT_LENGTH };
  }

  /** The next synthesis fails with this code (default PROVIDER_UNAVAILABLE), as a provider outage would. */
  failNext(code: ErrorCode = 'PROVIDER_UNAVAILABLE'): void {
    this.failures.push(code);
  }

  async synthesize(request: SynthesisRequest): Promise<SynthesizedAudio> {
    const text = checkSynthesisRequest(request, this.capabilities, 'mock');
    if (request.voice !== undefined && !this.voices.includes(request.voice)) {
      throw unknownVoice('mock', request.voice, `Use one of: ${this.voices.join(', ')}.`);
    }
    keepRecent(this.requests, request);
    const failure = this.failures.shift();
    if (failure) throw new DomainError(failure, `The mock TTS provider was told to fail (${failure}).`, 'Retry; this failure was injected by a test.', { provider: 'mock' });
    const durationMs = Math.min(MAX_MS, Math.max(MIN_MS, text.length * MS_PER_CHARACTER));
    return synthesizedAudio(request.format, silentAudio(request.format, durationMs));
  }

  async close(): Promise<void> {}
}
