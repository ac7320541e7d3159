import { samplesPerFrame, type MpegVersion } from './mpeg-audio.js';

export interface SilentMp3Options {
  durationMs: number;
  /** MPEG-1 rates (32000, 44100, 48000) or MPEG-2 rates (16000, 22050, 24000). Default 24000. */
  sampleRate?: number;
  /** A Layer III bitrate valid for that MPEG version. Default 48. */
  bitrateKbps?: number;
}

const LAYER3_BITRATES: Readonly<Record<'1' | '2', readonly number[]>> = {
  '1': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const RATES: Readonly<Record<'1' | '2', readonly number[]>> = { '1': [44100, 48000, 32000], '2': [22050, 24000, 16000] };
/** Side information of a mono Layer III frame; all zero means no Huffman data, i.e. silence. */
const MONO_SIDE_INFO_BYTES: Readonly<Record<'1' | '2', number>> = { '1': 17, '2': 9 };

/**
 * Mono MPEG Layer III frames that decode to silence (zeroed side information and main data), with
 * padding spread like an encoder does so that the average bitrate is exact. For demo audio and simulators.
 */
export function silentMp3(options: SilentMp3Options): Uint8Array {
  const sampleRate = options.sampleRate ?? 24000;
  const bitrateKbps = options.bitrateKbps ?? 48;
  const version: '1' | '2' | null = RATES['1'].includes(sampleRate) ? '1' : RATES['2'].includes(sampleRate) ? '2' : null;
  if (!version) throw new RangeError(`no MPEG-1/2 sample rate ${sampleRate}`);
  const bitrateIndex = LAYER3_BITRATES[version].indexOf(bitrateKbps);
  if (bitrateIndex <= 0) throw new RangeError(`no MPEG-${version} Layer III bitrate ${bitrateKbps} kbps`);
  const perFrame = samplesPerFrame(version as MpegVersion, 3);
  const frameCount = Math.max(1, Math.ceil((options.durationMs * sampleRate) / 1000 / perFrame));
  const exactLength = ((perFrame / 8) * bitrateKbps * 1000) / sampleRate;
  const baseLength = Math.floor(exactLength);
  if (baseLength < 4 + MONO_SIDE_INFO_BYTES[version]) throw new RangeError('bitrate too low for a Layer III frame');

  const frames: Uint8Array[] = [];
  let owed = 0;
  for (let i = 0; i < frameCount; i += 1) {
    owed += exactLength - baseLength;
    const padding = owed >= 1 ? 1 : 0;
    owed -= padding;
    const frame = new Uint8Array(baseLength + padding);
    frame[0] = 0xff;
    // Sync, version (11 = MPEG-1, 10 = MPEG-2), layer III (01), no CRC.
    frame[1] = version === '1' ? 0xfb : 0xf3;
    frame[2] = (bitrateIndex << 4) | (RATES[version].indexOf(sampleRate) << 2) | (padding << 1);
    // Mono, original, no emphasis.
    frame[3] = 0xc4;
    frames.push(frame);
  }
  const out = new Uint8Array(frames.reduce((sum, f) => sum + f.length, 0));
  let offset = 0;
  for (const frame of frames) {
    out.set(frame, offset);
    offset += frame.length;
  }
  return out;
}
