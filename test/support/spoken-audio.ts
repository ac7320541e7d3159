import { runProgram } from '../../adapters/espeak/espeak-process.js';
import { encodeMulaw, MULAW_SILENCE } from '../../adapters/audio/mulaw.js';
import { pcm16ToLittleEndian } from '../../adapters/audio/pcm16.js';
import { resamplePcm16 } from '../../adapters/audio/resample.js';
import { decodeWav } from '../../adapters/audio/wav.js';

const cache = new Map<string, Promise<Int16Array>>();

/** Real speech of `text` (espeak-ng), as 16-bit samples at `sampleRate`. Cached per text and rate. */
export function spokenPcm(text: string, sampleRate: number): Promise<Int16Array> {
  const key = `${sampleRate}:${text}`;
  let samples = cache.get(key);
  if (!samples) {
    samples = runProgram('espeak-ng', ['--stdout', '-v', 'en-us'], { stdin: text, timeoutMs: 30_000 }).then((result) => {
      if (result.exitCode !== 0) throw new Error(`espeak-ng failed: ${result.stderr}`);
      return resamplePcm16(decodeWav(new Uint8Array(result.stdout)), sampleRate).samples;
    });
    cache.set(key, samples);
  }
  return samples;
}

/** Real speech of `text` as 8 kHz μ-law (a phone line's audio), with `trailingSilenceMs` of silence after it. */
export async function spokenMulaw(text: string, trailingSilenceMs = 800): Promise<Uint8Array> {
  const speech = encodeMulaw(await spokenPcm(text, 8000));
  const out = new Uint8Array(speech.length + (trailingSilenceMs * 8)).fill(MULAW_SILENCE);
  out.set(speech);
  return out;
}

/** Real speech of `text` as 16-bit little-endian PCM at `sampleRate`, with silence after it. */
export async function spokenLinear16(text: string, sampleRate: number, trailingSilenceMs = 800): Promise<Uint8Array> {
  const speech = await spokenPcm(text, sampleRate);
  const out = new Int16Array(speech.length + Math.round((trailingSilenceMs * sampleRate) / 1000));
  out.set(speech);
  return pcm16ToLittleEndian(out);
}
