import { encodeMulaw } from './mulaw.js';
import { pcm16FromLittleEndian, type Pcm16 } from './pcm16.js';
import { resamplePcm16 } from './resample.js';
import { encodeWav } from './wav.js';

/** The sample rate of the phone network and of Twilio Media Streams. */
export const TELEPHONY_SAMPLE_RATE = 8000;

/** Raw 8 kHz μ-law (`audio/basic`, Media Streams payloads) from PCM at any rate. */
export function pcm16ToMulaw8000(pcm: Pcm16): Uint8Array {
  return encodeMulaw(resamplePcm16(pcm, TELEPHONY_SAMPLE_RATE).samples);
}

/**
 * A PCM16 mono WAV, resampled down to `maxSampleRate` when the source is richer: a phone line carries
 * 8 kHz, and wideband 16 kHz keeps the file small while staying good for any later use.
 */
export function pcm16ToWav(pcm: Pcm16, maxSampleRate = 16000): Uint8Array {
  return encodeWav(pcm.sampleRate > maxSampleRate ? resamplePcm16(pcm, maxSampleRate) : pcm);
}

/** Raw little-endian PCM16 bytes (what ElevenLabs `pcm_<rate>` returns) as mono PCM. */
export function rawPcm16(bytes: Uint8Array, sampleRate: number): Pcm16 {
  return { samples: pcm16FromLittleEndian(bytes), sampleRate };
}
