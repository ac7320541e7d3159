import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDomainError, type ErrorCode } from '../ports/errors.js';
import { AUDIO_CONTENT_TYPES, type AudioFormat, type TtsCapabilities, type TtsPort } from '../ports/tts.js';

/** What the suite may know of the far side. Every member is optional: the tests that need one are skipped without it. */
export interface TtsHarness {
  /** A voice the adapter offers besides its default; the suite synthesises with it. */
  knownVoice?: string;
  /** A voice id the provider does not offer. Default `no-such-voice-0000`. */
  unknownVoice?: string;
  /** Makes the provider fail the next synthesis as an outage would (5xx, dropped connection, crashed engine). */
  failNext?(): void;
  /** Requests the provider has received so far: lets the suite check that invalid input never reaches it. */
  providerRequests?(): number;
}

export interface TtsContractOptions {
  name: string;
  /** A fresh, isolated adapter for each test. */
  factory: () => Promise<{ port: TtsPort; harness?: TtsHarness }>;
  /** Runs after each test, once the port is closed. */
  teardown?: () => Promise<void>;
  /** What the adapter declares; the suite checks each declared format and that the others are refused. */
  capabilities: TtsCapabilities;
}

const ALL_FORMATS: readonly AudioFormat[] = ['mp3', 'wav', 'ulaw_8000'];
const SENTENCE = 'Hello! This is a short test of the speech synthesis contract.';
/** Shorter than any real utterance of SENTENCE, longer than a click. */
const MIN_DURATION_MS = 100;

async function failureCode(promise: Promise<unknown>): Promise<ErrorCode | 'NO_ERROR' | 'NOT_A_DOMAIN_ERROR'> {
  try {
    await promise;
    return 'NO_ERROR';
  } catch (err) {
    return isDomainError(err) ? err.code : 'NOT_A_DOMAIN_ERROR';
  }
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

/** Duration of a RIFF/WAVE file (PCM or μ-law), or a thrown reason why it is not one. */
export function wavDurationMs(bytes: Uint8Array): number {
  if (bytes.length < 44 || ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WAVE') throw new Error('not RIFF/WAVE');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let byteRate = 0;
  for (let offset = 12; offset + 8 <= bytes.length;) {
    const id = ascii(bytes, offset, 4);
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ') {
      const format = view.getUint16(offset + 8, true);
      if (![1, 7, 0xfffe].includes(format)) throw new Error(`WAV format tag ${format} is not PCM or μ-law`);
      if (view.getUint16(offset + 10, true) < 1) throw new Error('WAV with zero channels');
      byteRate = view.getUint32(offset + 16, true);
      if (byteRate === 0) throw new Error('WAV with zero byte rate');
    } else if (id === 'data') {
      if (byteRate === 0) throw new Error('WAV data before fmt');
      // Streaming writers declare a huge size; what counts is what arrived.
      return (Math.min(size, bytes.length - offset - 8) * 1000) / byteRate;
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('WAV without data chunk');
}

const MPEG_SAMPLE_RATES: Readonly<Record<number, readonly number[]>> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };
const MPEG_BITRATES_L3: Readonly<Record<'v1' | 'v2', readonly number[]>> = {
  v1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};

/** One MPEG Layer III frame header: its length and duration, or null. */
function mp3Frame(bytes: Uint8Array, offset: number): { length: number; ms: number; key: string } | null {
  if (offset + 4 > bytes.length || bytes[offset] !== 0xff) return null;
  const b1 = bytes[offset + 1] ?? 0;
  const b2 = bytes[offset + 2] ?? 0;
  const versionBits = (b1 >> 3) & 3;
  if ((b1 & 0xe0) !== 0xe0 || versionBits === 1 || ((b1 >> 1) & 3) !== 1) return null;
  const rate = MPEG_SAMPLE_RATES[versionBits]?.[(b2 >> 2) & 3];
  const bitrate = MPEG_BITRATES_L3[versionBits === 3 ? 'v1' : 'v2'][b2 >> 4];
  if (!rate || !bitrate) return null;
  const samples = versionBits === 3 ? 1152 : 576;
  const length = Math.floor(((samples / 8) * bitrate * 1000) / rate) + ((b2 >> 1) & 1);
  return { length, ms: (samples * 1000) / rate, key: `${versionBits}/${rate}` };
}

/** Duration of an MP3 stream walked frame by frame (after an ID3v2 tag), or a thrown reason. */
export function mp3DurationMs(bytes: Uint8Array): number {
  let offset = 0;
  if (ascii(bytes, 0, 3) === 'ID3' && bytes.length >= 10) {
    const size = [6, 7, 8, 9].reduce((sum, i) => (sum << 7) | ((bytes[i] ?? 0) & 0x7f), 0);
    offset = 10 + size + (((bytes[5] ?? 0) & 0x10) !== 0 ? 10 : 0);
  }
  const first = mp3Frame(bytes, offset);
  if (!first) throw new Error(`no MPEG Layer III frame sync at byte ${offset}`);
  let duration = 0;
  while (offset < bytes.length) {
    const frame = mp3Frame(bytes, offset);
    if (!frame || frame.key !== first.key || offset + frame.length > bytes.length) break;
    duration += frame.ms;
    offset += frame.length;
  }
  const rest = bytes.length - offset;
  if (rest >= first.length && ascii(bytes, offset, 3) !== 'TAG') throw new Error(`${rest} bytes after the last MPEG frame are not MPEG audio`);
  return duration;
}

/** Raw 8 kHz μ-law carries no header: one byte per sample, and it must not be some other container. */
export function ulawDurationMs(bytes: Uint8Array): number {
  for (const magic of ['RIFF', 'ID3', 'OggS', '{']) {
    if (ascii(bytes, 0, magic.length) === magic) throw new Error(`μ-law expected, got bytes starting with ${magic}`);
  }
  return bytes.length / 8;
}

/** Duration of `audio` if it really is `format`; throws with the reason otherwise. */
export function audioDurationMs(format: AudioFormat, audio: Uint8Array): number {
  if (format === 'wav') return wavDurationMs(audio);
  if (format === 'mp3') return mp3DurationMs(audio);
  return ulawDurationMs(audio);
}

/**
 * The published behaviour of the `tts` port. Call it from a vitest file with a factory that builds the
 * adapter against its provider (or a simulator of it).
 */
export function describeTtsContract(options: TtsContractOptions): void {
  const { capabilities } = options;
  const refused = ALL_FORMATS.filter((format) => !capabilities.formats.includes(format));

  describe(`TtsPort contract: ${options.name}`, () => {
    let port: TtsPort;
    let harness: TtsHarness;

    beforeEach(async () => {
      const built = await options.factory();
      port = built.port;
      harness = built.harness ?? {};
    });

    afterEach(async () => {
      await port?.close?.();
      await options.teardown?.();
    });

    it('declares the capabilities it was registered with', () => {
      expect([...port.capabilities.formats].sort()).toEqual([...capabilities.formats].sort());
      expect(port.capabilities.maxTextLength).toBe(capabilities.maxTextLength);
      expect(capabilities.formats.length).toBeGreaterThan(0);
    });

    for (const format of capabilities.formats) {
      it(`synthesises ${format} that really is ${format}`, async () => {
        const result = await port.synthesize({ text: SENTENCE, format });
        expect(result.format).toBe(format);
        expect(result.contentType).toBe(AUDIO_CONTENT_TYPES[format]);
        expect(result.audio).toBeInstanceOf(Uint8Array);
        expect(audioDurationMs(format, result.audio)).toBeGreaterThanOrEqual(MIN_DURATION_MS);
      });
    }

    for (const format of refused) {
      it(`refuses ${format}, which it does not declare, with INVALID_INPUT`, async () => {
        expect(await failureCode(port.synthesize({ text: SENTENCE, format }))).toBe('INVALID_INPUT');
      });
    }

    it('gives longer audio for longer text', async () => {
      const format = capabilities.formats[0] ?? 'mp3';
      const short = await port.synthesize({ text: 'Hi.', format });
      const long = await port.synthesize({ text: `${SENTENCE} ${SENTENCE} ${SENTENCE}`, format });
      expect(audioDurationMs(format, long.audio)).toBeGreaterThan(audioDurationMs(format, short.audio));
    });

    it('synthesises with an explicitly named voice', async (ctx) => {
      if (!harness.knownVoice) return ctx.skip();
      const format = capabilities.formats[0] ?? 'mp3';
      const result = await port.synthesize({ text: SENTENCE, voice: harness.knownVoice, format });
      expect(audioDurationMs(format, result.audio)).toBeGreaterThanOrEqual(MIN_DURATION_MS);
    });

    it('refuses a voice it does not offer with UNKNOWN_VOICE', async () => {
      const voice = harness.unknownVoice ?? 'no-such-voice-0000';
      const format = capabilities.formats[0] ?? 'mp3';
      expect(await failureCode(port.synthesize({ text: SENTENCE, voice, format }))).toBe('UNKNOWN_VOICE');
    });

    it('refuses empty and blank text with INVALID_INPUT before calling the provider', async () => {
      const before = harness.providerRequests?.();
      for (const text of ['', '   ', '\n\t']) {
        expect(await failureCode(port.synthesize({ text, format: capabilities.formats[0] ?? 'mp3' }))).toBe('INVALID_INPUT');
      }
      if (before !== undefined) expect(harness.providerRequests?.()).toBe(before);
    });

    it('refuses text longer than maxTextLength with INVALID_INPUT before calling the provider', async () => {
      const before = harness.providerRequests?.();
      const text = 'word '.repeat(Math.ceil((capabilities.maxTextLength + 1) / 5)).slice(0, capabilities.maxTextLength + 1);
      expect(await failureCode(port.synthesize({ text, format: capabilities.formats[0] ?? 'mp3' }))).toBe('INVALID_INPUT');
      if (before !== undefined) expect(harness.providerRequests?.()).toBe(before);
    });

    it('reports a provider outage as PROVIDER_UNAVAILABLE, then works again', async (ctx) => {
      if (!harness.failNext) return ctx.skip();
      const format = capabilities.formats[0] ?? 'mp3';
      harness.failNext();
      expect(await failureCode(port.synthesize({ text: SENTENCE, format }))).toBe('PROVIDER_UNAVAILABLE');
      const recovered = await port.synthesize({ text: SENTENCE, format });
      expect(audioDurationMs(format, recovered.audio)).toBeGreaterThanOrEqual(MIN_DURATION_MS);
    });

    it('serves concurrent requests independently', async () => {
      const formats = capabilities.formats;
      const results = await Promise.all(formats.flatMap((format) => [
        port.synthesize({ text: `${SENTENCE} One.`, format }),
        port.synthesize({ text: `${SENTENCE} Two, a little longer.`, format }),
      ]));
      results.forEach((result, index) => {
        const format = formats[Math.floor(index / 2)] ?? 'mp3';
        expect(result.format).toBe(format);
        expect(audioDurationMs(format, result.audio)).toBeGreaterThanOrEqual(MIN_DURATION_MS);
      });
    });
  });
}
