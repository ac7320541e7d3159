import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, parseWav, WAVE_FORMAT_MULAW, WAVE_FORMAT_PCM } from '../../../adapters/audio/wav.js';

function header(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  return {
    riff: text(0), riffSize: view.getUint32(4, true), wave: text(8), fmt: text(12), fmtSize: view.getUint32(16, true),
    audioFormat: view.getUint16(20, true), channels: view.getUint16(22, true), sampleRate: view.getUint32(24, true),
    byteRate: view.getUint32(28, true), blockAlign: view.getUint16(32, true), bitsPerSample: view.getUint16(34, true),
    data: text(36), dataSize: view.getUint32(40, true),
  };
}

/** A WAV with arbitrary header fields and extra chunks, as other writers produce. */
function customWav(o: { format: number; channels: number; rate: number; bits: number; data: Uint8Array; declaredDataSize?: number; extraChunk?: boolean }) {
  const extra = o.extraChunk ? [0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 1, 2, 3, 0] : [];
  const out = new Uint8Array(12 + 24 + extra.length + 8 + o.data.length);
  const view = new DataView(out.buffer);
  out.set([0x52, 0x49, 0x46, 0x46], 0);
  view.setUint32(4, out.length - 8, true);
  out.set([0x57, 0x41, 0x56, 0x45, 0x66, 0x6d, 0x74, 0x20], 8);
  view.setUint32(16, 16, true);
  view.setUint16(20, o.format, true);
  view.setUint16(22, o.channels, true);
  view.setUint32(24, o.rate, true);
  const blockAlign = (o.channels * o.bits) / 8;
  view.setUint32(28, o.rate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, o.bits, true);
  out.set(extra, 36);
  const dataAt = 36 + extra.length;
  out.set([0x64, 0x61, 0x74, 0x61], dataAt);
  view.setUint32(dataAt + 4, o.declaredDataSize ?? o.data.length, true);
  out.set(o.data, dataAt + 8);
  return out;
}

describe('WAV', () => {
  it('writes a canonical 44-byte PCM16 mono header', () => {
    const bytes = encodeWav({ samples: Int16Array.from([0, 1, -1, 32767, -32768]), sampleRate: 16000 });
    expect(bytes.length).toBe(44 + 10);
    expect(header(bytes)).toEqual({
      riff: 'RIFF', riffSize: 36 + 10, wave: 'WAVE', fmt: 'fmt ', fmtSize: 16, audioFormat: 1, channels: 1,
      sampleRate: 16000, byteRate: 32000, blockAlign: 2, bitsPerSample: 16, data: 'data', dataSize: 10,
    });
    expect([...bytes.subarray(44)]).toEqual([0, 0, 1, 0, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x80]);
  });

  it('round-trips samples exactly', () => {
    const samples = Int16Array.from({ length: 1001 }, (_, i) => ((i * 7919) % 65536) - 32768);
    const decoded = decodeWav(encodeWav({ samples, sampleRate: 8000 }));
    expect(decoded.sampleRate).toBe(8000);
    expect([...decoded.samples]).toEqual([...samples]);
  });

  it('skips unknown chunks and clamps the over-declared data size of streaming writers (espeak-ng)', () => {
    const data = Uint8Array.from([1, 0, 2, 0, 3, 0, 9]);
    const parsed = parseWav(customWav({ format: WAVE_FORMAT_PCM, channels: 1, rate: 22050, bits: 16, data, declaredDataSize: 0x7ffff000, extraChunk: true }));
    expect(parsed.format).toMatchObject({ audioFormat: 1, channels: 1, sampleRate: 22050, bitsPerSample: 16 });
    expect([...parsed.data]).toEqual([1, 0, 2, 0, 3, 0]);
  });

  it('decodes stereo, 8-bit and μ-law WAV to mono PCM16', () => {
    const stereo = decodeWav(customWav({ format: WAVE_FORMAT_PCM, channels: 2, rate: 44100, bits: 16, data: Uint8Array.from([0xe8, 0x03, 0x18, 0xfc, 0xd0, 0x07, 0xd0, 0x07]) }));
    expect([...stereo.samples]).toEqual([0, 2000]);
    const eightBit = decodeWav(customWav({ format: WAVE_FORMAT_PCM, channels: 1, rate: 8000, bits: 8, data: Uint8Array.from([128, 255, 0]) }));
    expect([...eightBit.samples]).toEqual([0, 127 << 8, -32768]);
    const mulaw = decodeWav(customWav({ format: WAVE_FORMAT_MULAW, channels: 1, rate: 8000, bits: 8, data: Uint8Array.from([0xff, 0x80, 0x00]) }));
    expect([...mulaw.samples]).toEqual([0, 32124, -32124]);
  });

  it('refuses what is not a WAV', () => {
    expect(() => parseWav(new Uint8Array(0))).toThrow(/RIFF/);
    expect(() => parseWav(new TextEncoder().encode('RIFF....WAVEdata'))).toThrow();
    const noData = encodeWav({ samples: new Int16Array(0), sampleRate: 8000 }).subarray(0, 36);
    expect(() => parseWav(noData)).toThrow(/no data chunk/);
  });
});
