/** Audio encodings the telephony side plays: MP3 or WAV for `<Play>`, 8 kHz μ-law for media streams. */
export type AudioFormat = 'mp3' | 'wav' | 'ulaw_8000';

export const AUDIO_CONTENT_TYPES: Readonly<Record<AudioFormat, string>> = {
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ulaw_8000: 'audio/basic',
};

export interface SynthesisRequest {
  text: string;
  /** Adapter-specific voice id; undefined picks the adapter's default. */
  voice?: string;
  format: AudioFormat;
  /** The request that asked for the speech (absent in a live call), for the adapter's log lines about it. */
  requestId?: string;
}

export interface SynthesizedAudio {
  audio: Uint8Array;
  format: AudioFormat;
  contentType: string;
}

export interface TtsCapabilities {
  formats: readonly AudioFormat[];
  /** Longest text accepted in one request. */
  maxTextLength: number;
}

/**
 * The `tts` port. Failures: `UNKNOWN_VOICE` (voice not offered), `INVALID_INPUT` (empty or over-long
 * text), and the provider codes of the telephony port (`PROVIDER_UNAVAILABLE` …).
 */
export interface TtsPort {
  readonly capabilities: TtsCapabilities;
  synthesize(request: SynthesisRequest): Promise<SynthesizedAudio>;
  close?(): Promise<void>;
}
