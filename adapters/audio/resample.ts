import { toInt16, type Pcm16 } from './pcm16.js';

/** Sinc lobes on each side of the kernel: enough for a clean telephony band edge at a tiny CPU cost. */
const ZERO_CROSSINGS = 16;
/** Table points per unit of kernel argument; linear interpolation between them is far below 16-bit noise. */
const TABLE_RESOLUTION = 512;
/** The pass band ends a little below the new Nyquist frequency so the transition band does not alias. */
const PASS_BAND = 0.92;

function blackman(x: number): number {
  return 0.42 + 0.5 * Math.cos(Math.PI * x) + 0.08 * Math.cos(2 * Math.PI * x);
}

/** Windowed sinc sampled on [0, ZERO_CROSSINGS] (argument in units of the filter's own zero crossings). */
function kernelTable(): Float64Array {
  const size = ZERO_CROSSINGS * TABLE_RESOLUTION + 2;
  const table = new Float64Array(size);
  for (let i = 0; i < size; i += 1) {
    const u = i / TABLE_RESOLUTION;
    const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
    table[i] = u >= ZERO_CROSSINGS ? 0 : sinc * blackman(u / ZERO_CROSSINGS);
  }
  return table;
}

const KERNEL = kernelTable();

function kernelAt(u: number): number {
  const position = Math.abs(u) * TABLE_RESOLUTION;
  const index = Math.floor(position);
  if (index >= KERNEL.length - 1) return 0;
  const fraction = position - index;
  return (KERNEL[index] ?? 0) * (1 - fraction) + (KERNEL[index + 1] ?? 0) * fraction;
}

/** Above this many output phases the taps are computed per sample instead of tabulated (no real pair of rates gets here). */
const MAX_PHASES = 1024;

interface Phase {
  /** Input index of tap 0, relative to the block's first input sample. */
  offset: number;
  taps: Float64Array;
  /** Sum of every tap's weight (in range or not): dividing by it keeps the DC gain exactly 1 without boosting the edges. */
  norm: number;
}

/** Output sample j = q·phases.length + p reads input from q·step + phase p's offset on. */
interface Polyphase {
  step: number;
  phases: Phase[];
}

const polyphases = new Map<string, Polyphase | null>();

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function filterShape(sourceRate: number, targetRate: number): { cutoff: number; halfWidth: number } {
  // Cut-off as a fraction of the source Nyquist frequency; the kernel widens as it narrows.
  const cutoff = Math.min(1, targetRate / sourceRate) * PASS_BAND;
  return { cutoff, halfWidth: ZERO_CROSSINGS / cutoff };
}

/**
 * The filter's taps for each output phase of a rational rate change L/M, computed once per pair of rates.
 * Every output sample then costs its taps' multiply-adds alone: a live call's speech is resampled
 * sentence by sentence on the event loop that paces every other call's frames, so this cost is latency.
 */
function polyphaseFor(sourceRate: number, targetRate: number): Polyphase | null {
  const key = `${sourceRate}>${targetRate}`;
  if (polyphases.has(key)) return polyphases.get(key)!;
  const divisor = gcd(sourceRate, targetRate);
  const phaseCount = targetRate / divisor;
  const step = sourceRate / divisor;
  let table: Polyphase | null = null;
  if (phaseCount <= MAX_PHASES) {
    const { cutoff, halfWidth } = filterShape(sourceRate, targetRate);
    const phases: Phase[] = [];
    for (let p = 0; p < phaseCount; p += 1) {
      // Output p sits at input position p·M/L = base + fraction.
      const base = Math.floor((p * step) / phaseCount);
      const fraction = ((p * step) % phaseCount) / phaseCount;
      const first = Math.ceil(fraction - halfWidth);
      const last = Math.floor(fraction + halfWidth);
      const taps = new Float64Array(last - first + 1);
      let norm = 0;
      for (let r = first; r <= last; r += 1) {
        const weight = kernelAt((fraction - r) * cutoff);
        taps[r - first] = weight;
        norm += weight;
      }
      phases.push({ offset: base + first, taps, norm });
    }
    table = { step, phases };
  }
  polyphases.set(key, table);
  return table;
}

function resamplePolyphase(input: Int16Array, { step, phases }: Polyphase, outputLength: number): Int16Array {
  const output = new Int16Array(outputLength);
  for (let j = 0, blockStart = 0; j < outputLength; blockStart += step) {
    for (let p = 0; p < phases.length && j < outputLength; p += 1, j += 1) {
      const { offset, taps, norm } = phases[p]!;
      const start = blockStart + offset;
      // Taps outside the input add nothing (the signal is zero there) but still count in the norm.
      const from = start < 0 ? -start : 0;
      const to = Math.min(taps.length, input.length - start);
      let sum = 0;
      for (let t = from; t < to; t += 1) sum += input[start + t]! * taps[t]!;
      output[j] = toInt16(norm === 0 ? 0 : sum / norm);
    }
  }
  return output;
}

/** The same filter with each tap computed per output sample: the reference the tabulated form is checked against. */
export function resampleDirect(input: Int16Array, sourceRate: number, targetRate: number): Int16Array {
  const ratio = targetRate / sourceRate;
  const { cutoff, halfWidth } = filterShape(sourceRate, targetRate);
  const output = new Int16Array(Math.round(input.length * ratio));
  for (let j = 0; j < output.length; j += 1) {
    const centre = j / ratio;
    const first = Math.ceil(centre - halfWidth);
    const last = Math.floor(centre + halfWidth);
    let sum = 0;
    let weights = 0;
    for (let k = first; k <= last; k += 1) {
      const weight = kernelAt((centre - k) * cutoff);
      weights += weight;
      if (k >= 0 && k < input.length) sum += (input[k] ?? 0) * weight;
    }
    output[j] = toInt16(weights === 0 ? 0 : sum / weights);
  }
  return output;
}

/**
 * Band-limited resampling by windowed-sinc interpolation. Downsampling low-passes at the new Nyquist
 * frequency first (a 6 kHz tone must not fold back to 2 kHz when 22.05 kHz becomes 8 kHz).
 * Output length is `round(n × targetRate / sourceRate)`.
 */
export function resamplePcm16(pcm: Pcm16, targetRate: number): Pcm16 {
  if (!Number.isInteger(targetRate) || targetRate <= 0) throw new RangeError(`invalid target rate ${targetRate}`);
  if (targetRate === pcm.sampleRate) return { samples: pcm.samples.slice(), sampleRate: targetRate };
  const outputLength = Math.round(pcm.samples.length * (targetRate / pcm.sampleRate));
  const table = Number.isInteger(pcm.sampleRate) ? polyphaseFor(pcm.sampleRate, targetRate) : null;
  const samples = table ? resamplePolyphase(pcm.samples, table, outputLength) : resampleDirect(pcm.samples, pcm.sampleRate, targetRate);
  return { samples, sampleRate: targetRate };
}
