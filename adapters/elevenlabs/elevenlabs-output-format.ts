import { isMpegAudio } from '../audio/mpeg-audio.js';
import { rawPcm16 } from '../audio/telephony-audio.js';
import { encodeWav } from '../audio/wav.js';
import type { AudioFormat } from '../../ports/tts.js';

/** The `output_format` values this adapter asks for; all are available on every subscription tier. */
export type ElevenLabsOutputFormat = 'ulaw_8000' | 'mp3_22050_32' | 'pcm_16000';

/**
 * What to ask ElevenLabs for each of our formats: μ-law 8 kHz is native (Media Streams take it as is);
 * MP3 at 22.05 kHz / 32 kbps is plenty for a phone line and small to fetch; WAV is 16 kHz PCM we wrap.
 */
export const OUTPUT_FORMAT_FOR: Readonly<Record<AudioFormat, ElevenLabsOutputFormat>> = {
  ulaw_8000: 'ulaw_8000',
  mp3: 'mp3_22050_32',
  wav: 'pcm_16000',
};

/** The provider's bytes as our format, or null when they are not audio of the kind asked for. */
export function toOurFormat(format: AudioFormat, bytes: Uint8Array): Uint8Array | null {
  if (bytes.length === 0) return null;
  if (format === 'mp3') return isMpegAudio(bytes) ? bytes : null;
  if (format === 'wav') return bytes.length >= 2 ? encodeWav(rawPcm16(bytes, 16000)) : null;
  return bytes;
}
