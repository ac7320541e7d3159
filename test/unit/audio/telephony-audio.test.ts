import { describe, expect, it } from 'vitest';
import { decodeMulaw } from '../../../adapters/audio/mulaw.js';
import { pcm16ToLittleEndian } from '../../../adapters/audio/pcm16.js';
import { pcm16ToMulaw8000, pcm16ToWav, rawPcm16 } from '../../../adapters/audio/telephony-audio.js';
import { parseWav } from '../../../adapters/audio/wav.js';

function tone(frequency: number, sampleRate: number, seconds: number): Int16Array {
  return Int16Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) => Math.round(12000 * Math.sin((2 * Math.PI * frequency * i) / sampleRate)));
}

describe('telephony conversions', () => {
  it('turns 22.05 kHz PCM into one μ-law byte per 8 kHz sample that decodes back to the tone', () => {
    const ulaw = pcm16ToMulaw8000({ samples: tone(500, 22050, 1), sampleRate: 22050 });
    expect(ulaw.length).toBe(8000);
    const decoded = decodeMulaw(ulaw);
    const peak = Math.max(...decoded.subarray(400, 7600));
    expect(peak).toBeGreaterThan(11000);
    expect(peak).toBeLessThan(13000);
  });

  it('writes a WAV, resampled down to 16 kHz when the source is richer and left alone otherwise', () => {
    const rich = parseWav(pcm16ToWav({ samples: tone(500, 44100, 0.5), sampleRate: 44100 }));
    expect(rich.format).toMatchObject({ audioFormat: 1, channels: 1, sampleRate: 16000, bitsPerSample: 16 });
    expect(rich.data.length).toBe(16000);
    const narrow = parseWav(pcm16ToWav({ samples: tone(500, 8000, 0.5), sampleRate: 8000 }));
    expect(narrow.format.sampleRate).toBe(8000);
    expect(narrow.data.length).toBe(8000);
  });

  it('reads raw little-endian PCM16 as ElevenLabs sends it', () => {
    const samples = Int16Array.from([1, -2, 300]);
    expect(rawPcm16(pcm16ToLittleEndian(samples), 16000)).toEqual({ samples, sampleRate: 16000 });
  });
});
