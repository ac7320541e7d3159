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

/**
 * Band-limited resampling by windowed-sinc interpolation. Downsampling low-passes at the new Nyquist
 * frequency first (a 6 kHz tone must not fold back to 2 kHz when 22.05 kHz becomes 8 kHz).
 * Output length is `round(n × targetRate / sourceRate)`.
 */
export function resamplePcm16(pcm: Pcm16, targetRate: number): Pcm16 {
  if (!Number.isInteger(targetRate) || targetRate <= 0) throw new RangeError(`invalid target rate ${targetRate}`);
  if (targetRate === pcm.sampleRate) return { samples: pcm.samples.slice(), sampleRate: targetRate };
  const input = pcm.samples;
  const ratio = targetRate / pcm.sampleRate;
  // Cut-off as a fraction of the source Nyquist frequency; the kernel widens as it narrows.
  const cutoff = Math.min(1, ratio) * PASS_BAND;
  const halfWidth = ZERO_CROSSINGS / cutoff;
  const outputLength = Math.round(input.length * ratio);
  const output = new Int16Array(outputLength);
  for (let j = 0; j < outputLength; j += 1) {
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
    // Dividing by every tap's weight (in range or not) keeps the DC gain exactly 1 without boosting the edges.
    output[j] = toInt16(weights === 0 ? 0 : sum / weights);
  }
  return { samples: output, sampleRate: targetRate };
}
