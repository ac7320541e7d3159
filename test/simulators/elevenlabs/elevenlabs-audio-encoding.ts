import { encodeMulaw } from '../../../adapters/audio/mulaw.js';
import { pcm16ToLittleEndian, type Pcm16 } from '../../../adapters/audio/pcm16.js';
import { silentMp3 } from '../../../adapters/audio/silent-mp3.js';
import { encodeWav } from '../../../adapters/audio/wav.js';
import { MS_PER_CHARACTER, speechLikeSignal } from './speech-like-signal.js';

export interface EncodedAudio {
  bytes: Uint8Array;
  contentType: string;
}

/** `codec_rate[_kbps]` as the API spells `output_format`; null when ElevenLabs would refuse it. */
export function parseOutputFormat(value: string): { codec: 'mp3' | 'pcm' | 'ulaw' | 'wav'; sampleRate: number; bitrateKbps: number } | null {
  const match = /^(mp3|pcm|ulaw|wav)_(\d+)(?:_(\d+))?$/.exec(value);
  if (!match) return null;
  const codec = match[1] as 'mp3' | 'pcm' | 'ulaw' | 'wav';
  const sampleRate = Number(match[2]);
  const bitrateKbps = Number(match[3] ?? 0);
  const allowed: Record<typeof codec, string[]> = {
    mp3: ['22050_32', '24000_48', '44100_32', '44100_64', '44100_96', '44100_128', '44100_192'],
    pcm: ['8000', '16000', '22050', '24000', '32000', '44100', '48000'],
    ulaw: ['8000'],
    wav: ['8000', '16000', '22050', '24000', '32000', '44100', '48000'],
  };
  const rest = match[3] ? `${sampleRate}_${bitrateKbps}` : String(sampleRate);
  return allowed[codec].includes(rest) ? { codec, sampleRate, bitrateKbps } : null;
}

/**
 * Real bytes of the asked `output_format` for `text`: PCM-based formats carry the speech-like signal;
 * MP3 is silent but valid MPEG frames of the same duration (an MP3 encoder is out of a simulator's scope).
 */
export function encodeForOutputFormat(text: string, outputFormat: string): EncodedAudio | null {
  const format = parseOutputFormat(outputFormat);
  if (!format) return null;
  if (format.codec === 'mp3') {
    const durationMs = Math.max(1, [...text].length) * MS_PER_CHARACTER;
    return { bytes: silentMp3({ durationMs, sampleRate: format.sampleRate, bitrateKbps: format.bitrateKbps }), contentType: 'audio/mpeg' };
  }
  const pcm: Pcm16 = speechLikeSignal(text, format.sampleRate);
  if (format.codec === 'ulaw') return { bytes: encodeMulaw(pcm.samples), contentType: 'audio/basic' };
  if (format.codec === 'wav') return { bytes: encodeWav(pcm), contentType: 'audio/wav' };
  return { bytes: pcm16ToLittleEndian(pcm.samples), contentType: 'audio/pcm' };
}
