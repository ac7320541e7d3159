/**
 * Energy-based voice activity detection over 16-bit PCM, in 20 ms windows: enough to find where a caller
 * starts and stops speaking on a clean line (demo recogniser, simulators). Not a speech recogniser.
 */

export type VoiceActivity =
  | { type: 'speech-start'; atSeconds: number }
  /** Silence has lasted `silenceMs` after speech: the utterance is over. */
  | { type: 'speech-end'; startSeconds: number; endSeconds: number };

export interface VoiceActivityOptions {
  sampleRate: number;
  /** Silence that ends an utterance. Default 300 ms. */
  silenceMs?: number;
  /** RMS level (dBFS) above which a window counts as speech. Default -40. */
  thresholdDb?: number;
  /** Speech shorter than this is a click, not an utterance. Default 60 ms. */
  minSpeechMs?: number;
}

const WINDOW_MS = 20;

export class VoiceActivityDetector {
  private readonly windowSamples: number;
  private readonly threshold: number;
  private readonly silenceWindows: number;
  private readonly minSpeechWindows: number;
  private readonly pending: number[] = [];
  private window = 0;
  private speechStart: number | null = null;
  private speechWindows = 0;
  private lastSpeechEnd = 0;
  private silentRun = 0;
  private started = false;

  constructor(private readonly options: VoiceActivityOptions) {
    this.windowSamples = Math.round((options.sampleRate * WINDOW_MS) / 1000);
    this.threshold = 32768 * 10 ** ((options.thresholdDb ?? -40) / 20);
    this.silenceWindows = Math.ceil((options.silenceMs ?? 300) / WINDOW_MS);
    this.minSpeechWindows = Math.ceil((options.minSpeechMs ?? 60) / WINDOW_MS);
  }

  /** Seconds of audio seen so far. */
  get seconds(): number {
    return (this.window * WINDOW_MS) / 1000;
  }

  /** Feeds samples; returns what happened in them, in order. */
  push(samples: Int16Array): VoiceActivity[] {
    const events: VoiceActivity[] = [];
    for (const sample of samples) {
      this.pending.push(sample);
      if (this.pending.length === this.windowSamples) events.push(...this.analyse());
    }
    return events;
  }

  private analyse(): VoiceActivity[] {
    let energy = 0;
    for (const s of this.pending) energy += s * s;
    const rms = Math.sqrt(energy / this.pending.length);
    this.pending.length = 0;
    const start = this.seconds;
    this.window += 1;
    const end = this.seconds;
    if (rms >= this.threshold) {
      this.speechStart ??= start;
      this.speechWindows += 1;
      this.lastSpeechEnd = end;
      this.silentRun = 0;
      if (!this.started && this.speechWindows >= this.minSpeechWindows) {
        this.started = true;
        return [{ type: 'speech-start', atSeconds: this.speechStart }];
      }
      return [];
    }
    if (this.speechStart === null) return [];
    this.silentRun += 1;
    if (this.silentRun < this.silenceWindows) return [];
    const utterance: VoiceActivity = { type: 'speech-end', startSeconds: this.speechStart, endSeconds: this.lastSpeechEnd };
    const wasSpeech = this.started;
    this.speechStart = null;
    this.speechWindows = 0;
    this.started = false;
    this.silentRun = 0;
    return wasSpeech ? [utterance] : [];
  }
}
