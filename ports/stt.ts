import type { DomainError } from './errors.js';

/** Audio a live call delivers: 8 kHz μ-law (Twilio Media Streams) or 16-bit little-endian PCM (Vonage). */
export type SttEncoding = 'mulaw' | 'linear16';

export interface SttStreamRequest {
  encoding: SttEncoding;
  sampleRate: number;
  /** BCP 47 language of the caller; the adapter's default when absent. */
  language?: string;
}

/**
 * What the recogniser reports, in the order it happened. Times are seconds of audio since the stream
 * began (the audio clock), so a host can tell when, in its own time, the caller stopped speaking.
 */
export type SttEvent =
  /** Voice activity began (before any words are known): the earliest sign the caller speaks. */
  | { type: 'speech-started'; atSeconds: number }
  /**
   * Words recognised. `isFinal`: this span of audio will not be revised. `speechFinal`: the recogniser
   * detected the end of the utterance (endpointing) right after it. Interim results are replaced by the
   * next result for the same span.
   */
  | { type: 'transcript'; text: string; isFinal: boolean; speechFinal: boolean; startSeconds: number; endSeconds: number }
  /** No more words came for the adapter's utterance-end gap after the last word, which ended at `lastWordEndSeconds`. */
  | { type: 'utterance-end'; lastWordEndSeconds: number }
  /** The stream failed (provider error, dropped connection): no event follows. */
  | { type: 'error'; error: DomainError }
  /** The stream ended (after `finish`, or `close`): no event follows. */
  | { type: 'closed' };

/** One open recognition stream: audio in, events out through the listener given to `open`. */
export interface SttStream {
  /** Audio in the requested encoding, in order. Ignored once the stream has ended. */
  send(audio: Uint8Array): void;
  /**
   * No more audio: the recogniser flushes what it heard (final results for the last words may still
   * arrive), then the stream closes. Resolves after the `closed` (or `error`) event.
   */
  finish(): Promise<void>;
  /** Drops the stream now; a `closed` event follows unless one already did. */
  close(): void;
}

export interface SttCapabilities {
  encodings: readonly SttEncoding[];
  /** Interim (not yet final) transcripts are reported. */
  interimResults: boolean;
}

/**
 * The `stt` port: streaming speech recognition for live calls.
 *
 * `open` resolves once the provider accepted the stream; it rejects with a `DomainError`:
 * `INVALID_INPUT` (encoding or rate not offered), `PROVIDER_AUTH_FAILED`, `RATE_LIMITED`,
 * `PROVIDER_UNAVAILABLE` (refused, unreachable), `PROVIDER_TIMEOUT` (no answer in time). Events are
 * delivered to `listener` one at a time, in order; `error` and `closed` each end the stream, and exactly
 * one of them is the last event.
 */
export interface SttPort {
  readonly capabilities: SttCapabilities;
  open(request: SttStreamRequest, listener: (event: SttEvent) => void): Promise<SttStream>;
  close?(): Promise<void>;
}
