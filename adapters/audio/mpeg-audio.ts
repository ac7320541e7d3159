/** MPEG-1/2/2.5 audio frame headers (ISO/IEC 11172-3, 13818-3): enough to tell "is this really MP3". */

export type MpegVersion = '1' | '2' | '2.5';

export interface MpegFrameHeader {
  version: MpegVersion;
  layer: 1 | 2 | 3;
  bitrateKbps: number;
  sampleRate: number;
  padding: boolean;
  /** 0 stereo, 1 joint stereo, 2 dual channel, 3 mono. */
  channelMode: number;
  hasCrc: boolean;
  frameLength: number;
  samplesPerFrame: number;
}

const BITRATES_KBPS = {
  v1l1: [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  v1l2: [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  v1l3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2l1: [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  v2l23: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
} as const;

const SAMPLE_RATES: Readonly<Record<MpegVersion, readonly number[]>> = {
  '1': [44100, 48000, 32000],
  '2': [22050, 24000, 16000],
  '2.5': [11025, 12000, 8000],
};

const VERSION_BY_BITS: readonly (MpegVersion | null)[] = ['2.5', null, '2', '1'];
const LAYER_BY_BITS: readonly (1 | 2 | 3 | null)[] = [null, 3, 2, 1];

function bitrateTable(version: MpegVersion, layer: 1 | 2 | 3): readonly number[] {
  if (version === '1') return layer === 1 ? BITRATES_KBPS.v1l1 : layer === 2 ? BITRATES_KBPS.v1l2 : BITRATES_KBPS.v1l3;
  return layer === 1 ? BITRATES_KBPS.v2l1 : BITRATES_KBPS.v2l23;
}

export function samplesPerFrame(version: MpegVersion, layer: 1 | 2 | 3): number {
  if (layer === 1) return 384;
  if (layer === 2 || version === '1') return 1152;
  return 576;
}

/** The frame header at `offset`, or null when those 4 bytes are not a valid one (free-format frames included). */
export function parseMpegFrameHeader(bytes: Uint8Array, offset = 0): MpegFrameHeader | null {
  if (offset + 4 > bytes.length) return null;
  const b1 = bytes[offset + 1] ?? 0;
  const b2 = bytes[offset + 2] ?? 0;
  const b3 = bytes[offset + 3] ?? 0;
  if (bytes[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const version = VERSION_BY_BITS[(b1 >> 3) & 3] ?? null;
  const layer = LAYER_BY_BITS[(b1 >> 1) & 3] ?? null;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  // Emphasis value 2 is reserved; free-format bitrate (index 0) cannot be sized from the header alone.
  if (!version || !layer || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3 || (b3 & 3) === 2) return null;
  const bitrateKbps = bitrateTable(version, layer)[bitrateIndex] ?? 0;
  const sampleRate = SAMPLE_RATES[version][rateIndex] ?? 0;
  const padding = ((b2 >> 1) & 1) === 1;
  const perFrame = samplesPerFrame(version, layer);
  const frameLength = layer === 1
    ? (Math.floor((12 * bitrateKbps * 1000) / sampleRate) + (padding ? 1 : 0)) * 4
    : Math.floor(((perFrame / 8) * bitrateKbps * 1000) / sampleRate) + (padding ? 1 : 0);
  return {
    version, layer, bitrateKbps, sampleRate, padding,
    channelMode: b3 >> 6,
    hasCrc: (b1 & 1) === 0,
    frameLength,
    samplesPerFrame: perFrame,
  };
}

/** Bytes taken by a leading ID3v2 tag (0 when there is none). */
export function id3v2Length(bytes: Uint8Array): number {
  if (bytes.length < 10 || bytes[0] !== 0x49 || bytes[1] !== 0x44 || bytes[2] !== 0x33) return 0;
  const size = (((bytes[6] ?? 0) & 0x7f) << 21) | (((bytes[7] ?? 0) & 0x7f) << 14) | (((bytes[8] ?? 0) & 0x7f) << 7) | ((bytes[9] ?? 0) & 0x7f);
  const footer = ((bytes[5] ?? 0) & 0x10) !== 0 ? 10 : 0;
  return 10 + size + footer;
}

export interface MpegStreamSummary {
  frames: number;
  durationMs: number;
  first: MpegFrameHeader;
  /** Bytes after the last whole frame (an ID3v1 tag, or a truncated frame). */
  trailingBytes: number;
}

/**
 * Walks the stream frame by frame from the start (after an ID3v2 tag). Null unless the bytes begin with
 * a valid frame and every following frame keeps the same version, layer and sample rate.
 */
export function inspectMpegAudio(bytes: Uint8Array): MpegStreamSummary | null {
  let offset = id3v2Length(bytes);
  const first = parseMpegFrameHeader(bytes, offset);
  if (!first) return null;
  let frames = 0;
  let samples = 0;
  while (offset < bytes.length) {
    const header = parseMpegFrameHeader(bytes, offset);
    if (!header || header.version !== first.version || header.layer !== first.layer || header.sampleRate !== first.sampleRate) break;
    if (offset + header.frameLength > bytes.length) break;
    frames += 1;
    samples += header.samplesPerFrame;
    offset += header.frameLength;
  }
  if (frames === 0) return null;
  const trailingBytes = bytes.length - offset;
  const isId3v1 = trailingBytes === 128 && bytes[offset] === 0x54 && bytes[offset + 1] === 0x41 && bytes[offset + 2] === 0x47;
  // Anything else after the frames that is longer than one frame is not MPEG audio.
  if (!isId3v1 && trailingBytes >= first.frameLength) return null;
  return { frames, durationMs: (samples * 1000) / first.sampleRate, first, trailingBytes };
}

export function isMpegAudio(bytes: Uint8Array): boolean {
  return inspectMpegAudio(bytes) !== null;
}
