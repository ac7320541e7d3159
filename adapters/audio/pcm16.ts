/** Mono 16-bit PCM with its sample rate: the common currency between decoders, filters and encoders. */
export interface Pcm16 {
  samples: Int16Array;
  sampleRate: number;
}

/** Little-endian 16-bit bytes (WAV data, ElevenLabs `pcm_*`) to samples; an odd trailing byte is dropped. */
export function pcm16FromLittleEndian(bytes: Uint8Array): Int16Array {
  const count = Math.floor(bytes.length / 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * 2);
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i += 1) samples[i] = view.getInt16(i * 2, true);
  return samples;
}

export function pcm16ToLittleEndian(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i += 1) view.setInt16(i * 2, samples[i] ?? 0, true);
  return bytes;
}

/** Rounds and saturates a float sample to 16 bits (filters overshoot near full scale). */
export function toInt16(value: number): number {
  const rounded = Math.round(value);
  return rounded > 32767 ? 32767 : rounded < -32768 ? -32768 : rounded;
}

export function durationMs(pcm: Pcm16): number {
  return (pcm.samples.length * 1000) / pcm.sampleRate;
}
