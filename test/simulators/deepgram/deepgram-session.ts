import { randomUUID } from 'node:crypto';
import type WebSocket from 'ws';
import { decodeMulaw } from '../../../adapters/audio/mulaw.js';
import { pcm16FromLittleEndian } from '../../../adapters/audio/pcm16.js';
import { VoiceActivityDetector } from '../../../adapters/audio/voice-activity.js';

/** The live-transcription options our side asked for, as Deepgram reads them from the query string. */
export interface ListenOptions {
  model: string;
  encoding: 'mulaw' | 'linear16';
  sampleRate: number;
  interimResults: boolean;
  /** Silence (ms) after which a final result is sent with `speech_final`; false disables endpointing. */
  endpointingMs: number | false;
  /** Silence (ms) after the last word before `UtteranceEnd`; null when not asked for. */
  utteranceEndMs: number | null;
  vadEvents: boolean;
  language: string;
  query: Record<string, string>;
}

/** Deepgram's default endpointing silence. */
const DEFAULT_ENDPOINTING_MS = 10;
/** Interim results come about this often while someone speaks. */
const INTERIM_EVERY_SECONDS = 0.4;

interface Utterance {
  words: string[];
  startSeconds: number;
  /** Words already sent in a final result. */
  finalised: number;
  lastInterimAt: number;
}

/**
 * One `/v1/listen` WebSocket: decodes the audio, finds utterances by their energy, and reports each as
 * the next scripted text, the way Deepgram's streaming API does (interim results, a final result with
 * `speech_final` after the endpointing silence, `SpeechStarted`, `UtteranceEnd`, and on `CloseStream`
 * the last results, a `Metadata` message and a normal close).
 */
export class DeepgramSession {
  readonly requestId = randomUUID();
  /** Every message sent to the client, in order. */
  readonly sent: Record<string, unknown>[] = [];
  /** Control messages the client sent (KeepAlive, Finalize, CloseStream). */
  readonly controls: string[] = [];
  audioBytes = 0;
  closedBy: 'client' | 'server' | 'dropped' | null = null;
  private readonly vad: VoiceActivityDetector;
  private utterance: Utterance | null = null;
  private lastWordEnd: number | null = null;
  private silenceSince: number | null = null;

  constructor(
    private readonly socket: WebSocket,
    readonly options: ListenOptions,
    private readonly nextScript: () => string,
  ) {
    // The recogniser needs a little silence to notice speech ended; endpointing decides when it says so.
    const silenceMs = Math.max(options.endpointingMs === false ? 300 : options.endpointingMs, 60);
    this.vad = new VoiceActivityDetector({ sampleRate: options.sampleRate, silenceMs });
    socket.on('message', (data, isBinary) => {
      if (isBinary) this.audio(new Uint8Array(data as Buffer));
      else this.control(data.toString());
    });
    socket.on('close', () => {
      this.closedBy ??= 'client';
    });
  }

  private get seconds(): number {
    return this.vad.seconds;
  }

  /** The server goes away mid-stream (no close frame). */
  drop(): void {
    this.closedBy = 'dropped';
    this.socket.terminate();
  }

  private audio(bytes: Uint8Array): void {
    if (this.closedBy) return;
    this.audioBytes += bytes.length;
    const samples = this.options.encoding === 'mulaw' ? decodeMulaw(bytes) : pcm16FromLittleEndian(bytes);
    for (const activity of this.vad.push(samples)) {
      if (activity.type === 'speech-start') this.speechStarted(activity.atSeconds);
      else this.speechEnded(activity.endSeconds);
    }
    const current = this.utterance;
    if (current && this.options.interimResults && this.seconds - current.lastInterimAt >= INTERIM_EVERY_SECONDS) {
      current.lastInterimAt = this.seconds;
      // The words "heard so far", in proportion to the time spoken (at ~3 words a second).
      const heard = Math.min(current.words.length - 1, Math.floor((this.seconds - current.startSeconds) * 3));
      if (heard > 0) this.results(current, heard, { isFinal: false, speechFinal: false, endSeconds: this.seconds });
    }
    if (this.silenceSince === null && this.lastWordEnd !== null && !this.utterance) this.silenceSince = this.lastWordEnd;
    const utteranceEndMs = this.options.utteranceEndMs;
    if (utteranceEndMs !== null && this.silenceSince !== null && this.lastWordEnd !== null && (this.seconds - this.silenceSince) * 1000 >= utteranceEndMs) {
      this.send({ type: 'UtteranceEnd', channel: [0, 1], last_word_end: round(this.lastWordEnd) });
      this.silenceSince = null;
      this.lastWordEnd = null;
    }
  }

  private speechStarted(atSeconds: number): void {
    const text = this.nextScript();
    this.utterance = { words: text.split(/\s+/).filter(Boolean), startSeconds: atSeconds, finalised: 0, lastInterimAt: atSeconds };
    this.silenceSince = null;
    if (this.options.vadEvents) this.send({ type: 'SpeechStarted', channel: [0, 1], timestamp: round(atSeconds) });
  }

  private speechEnded(endSeconds: number): void {
    const current = this.utterance;
    if (!current) return;
    this.utterance = null;
    this.results(current, current.words.length, { isFinal: true, speechFinal: this.options.endpointingMs !== false, endSeconds });
    this.lastWordEnd = endSeconds;
    this.silenceSince = endSeconds;
  }

  private control(raw: string): void {
    let type = '';
    try {
      type = String((JSON.parse(raw) as { type?: unknown }).type ?? '');
    } catch {
      type = 'unparsable';
    }
    this.controls.push(type);
    if (type === 'Finalize' || type === 'CloseStream') this.flush();
    if (type === 'CloseStream') {
      this.send({ type: 'Metadata', transaction_key: 'deprecated', request_id: this.requestId, sha256: '', created: new Date().toISOString(), duration: round(this.seconds), channels: 1 });
      this.closedBy = 'server';
      this.socket.close(1000);
    }
  }

  /** What is being said is final now (Finalize / CloseStream). */
  private flush(): void {
    const current = this.utterance;
    if (!current) return;
    this.utterance = null;
    this.results(current, current.words.length, { isFinal: true, speechFinal: false, endSeconds: this.seconds, fromFinalize: true });
    this.lastWordEnd = this.seconds;
  }

  private results(utterance: Utterance, upTo: number, how: { isFinal: boolean; speechFinal: boolean; endSeconds: number; fromFinalize?: boolean }): void {
    const from = utterance.finalised;
    const words = utterance.words.slice(from, upTo);
    const span = Math.max(how.endSeconds - utterance.startSeconds, 0.01);
    const per = span / Math.max(utterance.words.length, 1);
    const timed = words.map((word, i) => {
      const start = utterance.startSeconds + (from + i) * per;
      return { word: word.toLowerCase().replace(/[^a-z0-9']/g, ''), start: round(start), end: round(start + per), confidence: 0.98, punctuated_word: word };
    });
    if (how.isFinal) utterance.finalised = upTo;
    const start = timed[0]?.start ?? utterance.startSeconds;
    this.send({
      type: 'Results',
      channel_index: [0, 1],
      duration: round(how.endSeconds - start),
      start: round(start),
      is_final: how.isFinal,
      speech_final: how.speechFinal,
      ...(how.fromFinalize ? { from_finalize: true } : {}),
      channel: { alternatives: [{ transcript: words.join(' '), confidence: 0.98, words: timed }] },
      metadata: { request_id: this.requestId, model_info: { name: this.options.model, version: 'sim', arch: 'sim' }, model_uuid: randomUUID() },
    });
  }

  private send(message: Record<string, unknown>): void {
    this.sent.push(message);
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(message));
  }
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

export { DEFAULT_ENDPOINTING_MS };
