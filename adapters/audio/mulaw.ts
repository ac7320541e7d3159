/**
 * G.711 μ-law, bit-exact with ITU-T G.191 (Software Tool Library, `g711.c`: ulaw_compress/ulaw_expand).
 * Input is 16-bit linear PCM; G.711 works on its top 14 bits, so the two low bits are discarded.
 */

/** One 16-bit sample to its μ-law byte. */
export function linearToMulaw(sample: number): number {
  const clamped = Math.max(-32768, Math.min(32767, Math.trunc(sample)));
  // One's complement for negatives (not negation): this is what makes -1…-4 encode to 0x7F, like the STL.
  let magnitude = ((clamped < 0 ? ~clamped : clamped) >> 2) + 33;
  if (magnitude > 0x1fff) magnitude = 0x1fff;
  let segment = 1;
  for (let rest = magnitude >> 6; rest !== 0; rest >>= 1) segment += 1;
  const highNibble = 0x08 - segment;
  const lowNibble = 0x0f - ((magnitude >> segment) & 0x0f);
  const code = (highNibble << 4) | lowNibble;
  return clamped >= 0 ? code | 0x80 : code;
}

/** One μ-law byte to its 16-bit linear value (the centre of the quantisation interval). */
export function mulawToLinear(code: number): number {
  const sign = (code & 0xff) < 0x80 ? -1 : 1;
  const inverted = ~code;
  const exponent = (inverted >> 4) & 0x07;
  const mantissa = inverted & 0x0f;
  const step = 4 << (exponent + 1);
  const magnitude = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
  // Both zero codes (0x7F and 0xFF) decode to +0, never -0.
  return magnitude === 0 ? 0 : sign * magnitude;
}

const DECODE_TABLE = Int16Array.from({ length: 256 }, (_, code) => mulawToLinear(code));

export function encodeMulaw(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) out[i] = linearToMulaw(samples[i] ?? 0);
  return out;
}

export function decodeMulaw(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) out[i] = DECODE_TABLE[bytes[i] ?? 0xff] ?? 0;
  return out;
}

/** The μ-law byte of digital silence. */
export const MULAW_SILENCE = 0xff;
