import type { Pcm16 } from '../../../adapters/audio/pcm16.js';

/** Milliseconds per character: about the pace of speech (15 characters a second). */
export const MS_PER_CHARACTER = 65;

/** First and second formants (Hz) of the vowels, so vowels differ in timbre as in speech. */
const VOWEL_FORMANTS: Readonly<Record<string, [number, number]>> = {
  a: [730, 1090], e: [530, 1840], i: [270, 2290], o: [570, 840], u: [300, 870], y: [270, 2290],
};

/** Small deterministic PRNG (mulberry32): the same text always gives the same bytes. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash;
}

/**
 * A speech-shaped test signal, not speech: vowels are voiced harmonic tones with formant peaks and a
 * falling pitch contour, consonants are noise bursts, spaces and punctuation are pauses. It has the level,
 * rhythm and spectrum a telephony pipeline should carry, which silence or a pure tone would not exercise.
 */
export function speechLikeSignal(text: string, sampleRate: number): Pcm16 {
  const perCharacter = Math.round((sampleRate * MS_PER_CHARACTER) / 1000);
  const characters = [...text];
  const samples = new Int16Array(Math.max(1, characters.length) * perCharacter);
  const noise = random(seedOf(text));
  const ramp = Math.round(sampleRate * 0.005);
  let phase = 0;
  characters.forEach((character, index) => {
    const lower = character.toLowerCase();
    const formants = VOWEL_FORMANTS[lower];
    const isConsonant = !formants && /\p{L}|\p{N}/u.test(lower);
    if (!formants && !isConsonant) return;
    // Declination: the pitch falls across the utterance, as in a spoken sentence.
    const f0 = 150 - (40 * index) / Math.max(1, characters.length);
    for (let n = 0; n < perCharacter; n += 1) {
      const envelope = Math.min(1, n / ramp, (perCharacter - 1 - n) / ramp);
      let value: number;
      if (formants) {
        phase += (2 * Math.PI * f0) / sampleRate;
        value = 0;
        for (let harmonic = 1; harmonic * f0 < Math.min(4000, sampleRate / 2); harmonic += 1) {
          const frequency = harmonic * f0;
          const gain = formants.reduce((sum, formant) => sum + 1 / (1 + ((frequency - formant) / 120) ** 2), 0.05);
          value += (gain / harmonic ** 0.5) * Math.sin(harmonic * phase);
        }
        value *= 5000;
      } else {
        value = (noise() * 2 - 1) * 3000;
      }
      samples[index * perCharacter + n] = Math.max(-32768, Math.min(32767, Math.round(value * envelope)));
    }
  });
  return { samples, sampleRate };
}
