import { decodeMulaw } from './mulaw.js';
import { pcm16FromLittleEndian, pcm16ToLittleEndian, toInt16, type Pcm16 } from './pcm16.js';

export const WAVE_FORMAT_PCM = 1;
export const WAVE_FORMAT_IEEE_FLOAT = 3;
export const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

export interface WavFormat {
  /** 1 PCM, 3 IEEE float, 7 μ-law (the sub-format of WAVE_FORMAT_EXTENSIBLE is resolved). */
  audioFormat: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  blockAlign: number;
  bitsPerSample: number;
}

export interface ParsedWav {
  format: WavFormat;
  /** The sample bytes of the `data` chunk (whole frames only). */
  data: Uint8Array;
}

/** The bytes are not a WAV file this module can read. */
export class WavFormatError extends Error {
  override readonly name = 'WavFormatError';
}

const WAV_HEADER_BYTES = 44;

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

function readFormat(view: DataView, offset: number, size: number): WavFormat {
  if (size < 16) throw new WavFormatError(`fmt chunk too short (${size} bytes)`);
  let audioFormat = view.getUint16(offset, true);
  if (audioFormat === WAVE_FORMAT_EXTENSIBLE && size >= 40) {
    // The first two bytes of the sub-format GUID carry the real format tag.
    audioFormat = view.getUint16(offset + 24, true);
  }
  return {
    audioFormat,
    channels: view.getUint16(offset + 2, true),
    sampleRate: view.getUint32(offset + 4, true),
    byteRate: view.getUint32(offset + 8, true),
    blockAlign: view.getUint16(offset + 12, true),
    bitsPerSample: view.getUint16(offset + 14, true),
  };
}

/**
 * Reads the RIFF/WAVE container. Streaming writers (`espeak-ng --stdout`) cannot seek back to fix the
 * sizes and declare ~2 GiB, so a `data` chunk longer than the bytes present is clamped, not refused.
 */
export function parseWav(bytes: Uint8Array): ParsedWav {
  if (bytes.length < 12 || ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: WavFormat | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = ascii(bytes, offset, 4);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (body + size > bytes.length) throw new WavFormatError('truncated fmt chunk');
      format = readFormat(view, body, size);
    } else if (id === 'data') {
      if (!format) throw new WavFormatError('data chunk before fmt chunk');
      validateFormat(format);
      const available = Math.min(size, bytes.length - body);
      const whole = available - (available % format.blockAlign);
      return { format, data: bytes.subarray(body, body + whole) };
    }
    // Chunks are word-aligned: an odd size is followed by one pad byte.
    offset = body + size + (size % 2);
  }
  throw new WavFormatError(format ? 'no data chunk' : 'no fmt chunk');
}

function validateFormat(format: WavFormat): void {
  if (format.channels < 1) throw new WavFormatError('zero channels');
  if (format.sampleRate < 1) throw new WavFormatError('zero sample rate');
  if (format.blockAlign !== format.channels * Math.ceil(format.bitsPerSample / 8)) {
    throw new WavFormatError(`block align ${format.blockAlign} does not match ${format.channels} × ${format.bitsPerSample} bits`);
  }
}

function sampleReader(format: WavFormat, view: DataView): (offset: number) => number {
  const { audioFormat, bitsPerSample } = format;
  if (audioFormat === WAVE_FORMAT_PCM && bitsPerSample === 16) return (o) => view.getInt16(o, true);
  if (audioFormat === WAVE_FORMAT_PCM && bitsPerSample === 8) return (o) => (view.getUint8(o) - 128) << 8;
  if (audioFormat === WAVE_FORMAT_PCM && bitsPerSample === 24) return (o) => (view.getInt8(o + 2) << 8) | view.getUint8(o + 1);
  if (audioFormat === WAVE_FORMAT_PCM && bitsPerSample === 32) return (o) => view.getInt32(o, true) / 65536;
  if (audioFormat === WAVE_FORMAT_IEEE_FLOAT && bitsPerSample === 32) return (o) => view.getFloat32(o, true) * 32767;
  if (audioFormat === WAVE_FORMAT_MULAW && bitsPerSample === 8) {
    const table = decodeMulaw(Uint8Array.from({ length: 256 }, (_, i) => i));
    return (o) => table[view.getUint8(o)] ?? 0;
  }
  throw new WavFormatError(`unsupported WAV encoding (format ${audioFormat}, ${bitsPerSample} bits)`);
}

/** Any supported WAV to mono 16-bit PCM (channels are averaged). */
export function decodeWav(bytes: Uint8Array): Pcm16 {
  const { format, data } = parseWav(bytes);
  const { channels, blockAlign, sampleRate } = format;
  if (format.audioFormat === WAVE_FORMAT_PCM && format.bitsPerSample === 16 && channels === 1) {
    return { samples: pcm16FromLittleEndian(data), sampleRate };
  }
  const read = sampleReader(format, new DataView(data.buffer, data.byteOffset, data.byteLength));
  const bytesPerSample = blockAlign / channels;
  const frames = data.length / blockAlign;
  const samples = new Int16Array(frames);
  for (let frame = 0; frame < frames; frame += 1) {
    let sum = 0;
    for (let channel = 0; channel < channels; channel += 1) sum += read(frame * blockAlign + channel * bytesPerSample);
    samples[frame] = toInt16(sum / channels);
  }
  return { samples, sampleRate };
}

/** A canonical 44-byte-header WAV: PCM, 16-bit, mono. */
export function encodeWav(pcm: Pcm16): Uint8Array {
  const dataBytes = pcm.samples.length * 2;
  const out = new Uint8Array(WAV_HEADER_BYTES + dataBytes);
  const view = new DataView(out.buffer);
  const writeAscii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i += 1) out[offset + i] = text.charCodeAt(i);
  };
  writeAscii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  writeAscii(8, 'WAVE');
  writeAscii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, WAVE_FORMAT_PCM, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, pcm.sampleRate, true);
  view.setUint32(28, pcm.sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  writeAscii(36, 'data');
  view.setUint32(40, dataBytes, true);
  out.set(pcm16ToLittleEndian(pcm.samples), WAV_HEADER_BYTES);
  return out;
}
