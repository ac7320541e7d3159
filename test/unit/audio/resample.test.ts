import { describe, expect, it } from 'vitest';
import { resampleDirect, resamplePcm16 } from '../../../adapters/audio/resample.js';

function sine(frequency: number, sampleRate: number, seconds: number, amplitude = 16000): Int16Array {
  return Int16Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate)));
}

/** Sign changes in the middle of the signal, away from the filter's edge effects. */
function zeroCrossings(samples: Int16Array, margin: number): number {
  let count = 0;
  for (let i = margin + 1; i < samples.length - margin; i += 1) {
    if (((samples[i - 1] ?? 0) < 0) !== ((samples[i] ?? 0) < 0)) count += 1;
  }
  return count;
}

function rms(samples: Int16Array, margin: number): number {
  let sum = 0;
  for (let i = margin; i < samples.length - margin; i += 1) sum += (samples[i] ?? 0) ** 2;
  return Math.sqrt(sum / (samples.length - 2 * margin));
}

describe('PCM16 resampling', () => {
  it.each([22050, 16000, 24000, 44100, 48000])('makes round(n × 8000 / %i) samples', (rate) => {
    const input = sine(440, rate, 0.5);
    const output = resamplePcm16({ samples: input, sampleRate: rate }, 8000);
    expect(output.sampleRate).toBe(8000);
    expect(output.samples.length).toBe(Math.round((input.length * 8000) / rate));
  });

  it.each([22050, 16000, 24000, 44100])('keeps the pitch and level of a 440 Hz tone from %i Hz to 8 kHz', (rate) => {
    const seconds = 1;
    const output = resamplePcm16({ samples: sine(440, rate, seconds), sampleRate: rate }, 8000);
    const margin = 200;
    const expected = 2 * 440 * ((output.samples.length - 2 * margin) / 8000);
    expect(Math.abs(zeroCrossings(output.samples, margin) - expected)).toBeLessThanOrEqual(2);
    expect(rms(output.samples, margin)).toBeCloseTo(16000 / Math.SQRT2, -2);
  });

  it('filters out what 8 kHz cannot carry instead of folding it back (6 kHz at 22.05 kHz would alias to 2 kHz)', () => {
    const output = resamplePcm16({ samples: sine(6000, 22050, 0.5), sampleRate: 22050 }, 8000);
    expect(rms(output.samples, 200)).toBeLessThan((16000 / Math.SQRT2) * 0.01);
  });

  it('passes the telephone band (3 kHz) almost untouched', () => {
    const output = resamplePcm16({ samples: sine(3000, 16000, 0.5), sampleRate: 16000 }, 8000);
    expect(rms(output.samples, 200) / (16000 / Math.SQRT2)).toBeGreaterThan(0.95);
  });

  it('upsamples too (8 kHz → 16 kHz) with the tone intact', () => {
    const output = resamplePcm16({ samples: sine(1000, 8000, 0.5), sampleRate: 8000 }, 16000);
    expect(output.samples.length).toBe(8000);
    const expected = 2 * 1000 * ((output.samples.length - 400) / 16000);
    expect(Math.abs(zeroCrossings(output.samples, 200) - expected)).toBeLessThanOrEqual(2);
  });

  it('keeps silence silent and DC level, and copies when the rate is unchanged', () => {
    const silent = resamplePcm16({ samples: new Int16Array(2205), sampleRate: 22050 }, 8000);
    expect(silent.samples.every((s) => s === 0)).toBe(true);
    const dc = resamplePcm16({ samples: new Int16Array(4410).fill(1000), sampleRate: 44100 }, 8000);
    expect(dc.samples.subarray(50, -50).every((s) => Math.abs(s - 1000) <= 1)).toBe(true);
    const same = Int16Array.from([1, 2, 3]);
    const copy = resamplePcm16({ samples: same, sampleRate: 8000 }, 8000);
    expect([...copy.samples]).toEqual([1, 2, 3]);
    expect(copy.samples).not.toBe(same);
  });

  it('saturates instead of wrapping around when the filter overshoots full scale', () => {
    // A full-scale 551 Hz square wave: the band-limited version overshoots (Gibbs); wrapping would flip signs.
    const square = Int16Array.from({ length: 22050 }, (_, i) => (Math.floor(i / 20) % 2 === 0 ? 32767 : -32768));
    const output = resamplePcm16({ samples: square, sampleRate: 22050 }, 8000);
    expect(output.samples.filter((s) => s === 32767).length).toBeGreaterThan(100);
    const expected = 2 * 551.25 * ((output.samples.length - 400) / 8000);
    expect(Math.abs(zeroCrossings(output.samples, 200) - expected)).toBeLessThanOrEqual(2);
  });
});

describe('PCM16 resampling: taps tabulated per output phase', () => {
  /** Speech-like: a few tones and a step, so every tap of the filter matters. */
  const signal = (rate: number) => Int16Array.from({ length: Math.round(rate * 0.3) }, (_, i) =>
    Math.round(6000 * Math.sin((2 * Math.PI * 310 * i) / rate) + 4000 * Math.sin((2 * Math.PI * 2900 * i) / rate) + (i > rate * 0.15 ? 3000 : -3000)));

  it.each([[8000, 16000], [22050, 8000], [16000, 8000], [24000, 8000], [44100, 8000], [48000, 16000], [8000, 22050]])(
    'gives what the per-sample filter gives (%i Hz → %i Hz), to the last bit but rounding', (from, to) => {
      const input = signal(from);
      const fast = resamplePcm16({ samples: input, sampleRate: from }, to).samples;
      const reference = resampleDirect(input, from, to);
      expect(fast.length).toBe(reference.length);
      let worst = 0;
      for (let i = 0; i < fast.length; i += 1) worst = Math.max(worst, Math.abs(fast[i]! - reference[i]!));
      expect(worst).toBeLessThanOrEqual(1);
    });
});
