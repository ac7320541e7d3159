import { describe, expect, it } from 'vitest';
import { decodeMulaw, encodeMulaw, linearToMulaw, mulawToLinear } from '../../../adapters/audio/mulaw.js';

describe('G.711 μ-law', () => {
  it('encodes the reference values of ITU-T G.191 ulaw_compress', () => {
    const vectors: [number, number][] = [
      [0, 0xff], [1, 0xff], [-1, 0x7f], [-4, 0x7f], [-5, 0x7e], [4, 0xfe], [1000, 0xce], [-1000, 0x4e],
      [32767, 0x80], [-32768, 0x00], [32124, 0x80], [-32124, 0x00], [8031, 0xa0], [-8031, 0x20],
    ];
    for (const [linear, code] of vectors) expect([linear, linearToMulaw(linear)]).toEqual([linear, code]);
  });

  it('decodes the reference values of ulaw_expand', () => {
    const vectors: [number, number][] = [
      [0xff, 0], [0x7f, 0], [0x80, 32124], [0x00, -32124], [0xce, 988], [0x4e, -988], [0xfe, 8], [0xf0, 120], [0xef, 132],
    ];
    for (const [code, linear] of vectors) expect([code, mulawToLinear(code)]).toEqual([code, linear]);
  });

  it('decodes symmetrically: code and code|0x80 are opposite values', () => {
    for (let code = 0; code < 128; code += 1) expect(mulawToLinear(code) + mulawToLinear(code | 0x80)).toBe(0);
  });

  it('re-encodes every decoded code to itself (negative zero becomes 0xFF)', () => {
    for (let code = 0; code < 256; code += 1) {
      expect(linearToMulaw(mulawToLinear(code))).toBe(code === 0x7f ? 0xff : code);
    }
  });

  it('keeps the round-trip error within half a quantisation step for every 16-bit input', () => {
    let worst = 0;
    for (let x = -32124; x <= 32124; x += 1) {
      const error = Math.abs(mulawToLinear(linearToMulaw(x)) - x);
      // The step doubles every segment: 8 in the first, so half a step is 4 + |x|/32 (plus 3 for the dropped LSBs).
      const bound = 7 + Math.abs(x) / 32;
      if (error > bound) throw new Error(`x=${x} error=${error} bound=${bound}`);
      worst = Math.max(worst, error / bound);
    }
    expect(worst).toBeGreaterThan(0.5);
  });

  it('is monotonic', () => {
    let previous = -Infinity;
    for (let x = -32768; x <= 32767; x += 7) {
      const value = mulawToLinear(linearToMulaw(x));
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
    }
  });

  it('encodes and decodes arrays', () => {
    const samples = Int16Array.from([0, 1000, -1000, 32767, -32768]);
    const encoded = encodeMulaw(samples);
    expect([...encoded]).toEqual([0xff, 0xce, 0x4e, 0x80, 0x00]);
    expect([...decodeMulaw(encoded)]).toEqual([0, 988, -988, 32124, -32124]);
  });
});
