/**
 * What the simulated callee makes of a downloaded <Play> file: Twilio plays only audio whose bytes match the
 * declared Content-Type. Written independently of adapters/audio on purpose: a simulator that shared our own
 * parsers would confirm their bugs instead of catching them.
 */
export type AudioCheck =
  | { ok: true; seconds: number; format: string }
  | { ok: false; errorCode: number; reason: string };

/** Twilio's <Play> media types (docs: TwiML <Play>, "Supported audio file types"). */
const WAV_TYPES = new Set(['audio/wav', 'audio/wave', 'audio/x-wav']);
const MPEG_TYPES = new Set(['audio/mpeg', 'audio/mp3']);
/** Played by Twilio, not inspected here: their length is the configured default. */
const UNCHECKED_TYPES = new Set(['audio/aiff', 'audio/x-aifc', 'audio/x-aiff', 'audio/x-gsm', 'audio/gsm', 'audio/ulaw']);

/** Twilio 13420 "Play: Invalid Content-Type": the URL did not answer with an audio type. */
export const PLAY_INVALID_CONTENT_TYPE = 13420;
/** Twilio 11200 "HTTP retrieval failure", which also covers "Content-Type doesn't match actual content". */
export const HTTP_RETRIEVAL_FAILURE = 11200;

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function checkAudio(contentType: string | undefined, bytes: Uint8Array, defaultSeconds: number): AudioCheck {
  const type = mediaType(contentType);
  const mismatch = (reason: string): AudioCheck => ({
    ok: false, errorCode: HTTP_RETRIEVAL_FAILURE, reason: `Content-Type ${type} does not match the content: ${reason}`,
  });
  if (WAV_TYPES.has(type)) {
    const wav = inspectWav(bytes);
    return typeof wav === 'string' ? mismatch(wav) : { ok: true, seconds: wav.seconds, format: wav.format };
  }
  if (MPEG_TYPES.has(type)) {
    const mpeg = inspectMpeg(bytes);
    return typeof mpeg === 'string' ? mismatch(mpeg) : { ok: true, seconds: mpeg.seconds, format: mpeg.format };
  }
  if (UNCHECKED_TYPES.has(type)) return { ok: true, seconds: defaultSeconds, format: type };
  return { ok: false, errorCode: PLAY_INVALID_CONTENT_TYPE, reason: `Content-Type "${type || '(none)'}" is not an audio type Twilio plays` };
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

const WAVE_PCM = 1;
const WAVE_MULAW = 7;
const WAVE_EXTENSIBLE = 0xfffe;

/** RIFF/WAVE with PCM or μ-law samples; the length comes from the data chunk and the byte rate. */
function inspectWav(bytes: Uint8Array): { seconds: number; format: string } | string {
  if (bytes.length < 12 || ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WAVE') return 'no RIFF/WAVE header';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: { tag: number; channels: number; sampleRate: number; byteRate: number; blockAlign: number; bits: number } | null = null;
  for (let offset = 12; offset + 8 <= bytes.length;) {
    const id = ascii(bytes, offset, 4);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + size > bytes.length) return 'truncated fmt chunk';
      let tag = view.getUint16(body, true);
      if (tag === WAVE_EXTENSIBLE && size >= 40) tag = view.getUint16(body + 24, true);
      format = {
        tag,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        byteRate: view.getUint32(body + 8, true),
        blockAlign: view.getUint16(body + 12, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!format) return 'data chunk before the fmt chunk';
      const { tag, channels, sampleRate, byteRate, blockAlign, bits } = format;
      if (tag !== WAVE_PCM && tag !== WAVE_MULAW) return `WAVE format ${tag} is neither PCM (1) nor μ-law (7)`;
      if (tag === WAVE_MULAW && bits !== 8) return `μ-law with ${bits} bits per sample`;
      if (tag === WAVE_PCM && ![8, 16, 24, 32].includes(bits)) return `PCM with ${bits} bits per sample`;
      if (channels < 1 || sampleRate < 1) return 'no channels or no sample rate';
      if (blockAlign !== channels * (bits / 8) || byteRate !== sampleRate * blockAlign) return 'inconsistent block align or byte rate';
      // Streaming writers leave the size at its maximum: count the bytes that are there.
      const available = Math.min(size, bytes.length - body);
      if (available < blockAlign) return 'empty data chunk';
      return { seconds: available / byteRate, format: `wav ${tag === WAVE_MULAW ? 'μ-law' : `pcm${bits}`} ${sampleRate} Hz` };
    }
    offset = body + size + (size % 2);
  }
  return format ? 'no data chunk' : 'no fmt chunk';
}

const BITRATES = {
  v1l1: [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  v1l2: [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  v1l3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2l1: [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  v2l23: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

interface Frame { length: number; samples: number; sampleRate: number; version: number; layer: number }

/** The MPEG audio frame starting at `offset`: sync 0xFFE, then version, layer, bitrate and rate bits. */
function frameAt(bytes: Uint8Array, offset: number): Frame | null {
  if (offset + 4 > bytes.length || bytes[offset] !== 0xff || ((bytes[offset + 1] ?? 0) & 0xe0) !== 0xe0) return null;
  const b1 = bytes[offset + 1] ?? 0;
  const b2 = bytes[offset + 2] ?? 0;
  const version = (b1 >> 3) & 3;
  const layerBits = (b1 >> 1) & 3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (version === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const layer = 4 - layerBits;
  const v1 = version === 3;
  const table = v1 ? (layer === 1 ? BITRATES.v1l1 : layer === 2 ? BITRATES.v1l2 : BITRATES.v1l3) : layer === 1 ? BITRATES.v2l1 : BITRATES.v2l23;
  const bitrate = (table[bitrateIndex] ?? 0) * 1000;
  const sampleRate = RATES[version]?.[rateIndex] ?? 0;
  const padding = (b2 >> 1) & 1;
  const samples = layer === 1 ? 384 : layer === 2 || v1 ? 1152 : 576;
  const length = layer === 1
    ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4
    : Math.floor(((samples / 8) * bitrate) / sampleRate) + padding;
  return { length, samples, sampleRate, version, layer };
}

function id3v2Size(bytes: Uint8Array): number {
  if (bytes.length < 10 || ascii(bytes, 0, 3) !== 'ID3') return 0;
  const size = bytes.subarray(6, 10).reduce((sum, byte) => (sum << 7) | (byte & 0x7f), 0);
  return 10 + size + (((bytes[5] ?? 0) & 0x10) !== 0 ? 10 : 0);
}

/** An optional ID3v2 tag, then MPEG audio frames back to back to the end (an ID3v1 tag or a cut last frame allowed). */
function inspectMpeg(bytes: Uint8Array): { seconds: number; format: string } | string {
  const start = id3v2Size(bytes);
  const first = frameAt(bytes, start);
  if (!first) return start > 0 ? 'an ID3 tag not followed by an MPEG audio frame' : 'no ID3 tag and no MPEG frame sync (0xFFE) at the start';
  let offset = start;
  let frames = 0;
  let samples = 0;
  let frame: Frame | null = first;
  while (frame && frame.version === first.version && frame.layer === first.layer && frame.sampleRate === first.sampleRate) {
    if (offset + frame.length > bytes.length) break;
    frames += 1;
    samples += frame.samples;
    offset += frame.length;
    frame = frameAt(bytes, offset);
  }
  const rest = bytes.length - offset;
  const id3v1 = rest === 128 && ascii(bytes, offset, 3) === 'TAG';
  if (frames === 0 || (!id3v1 && rest >= first.length)) return `only ${frames} MPEG frames before ${rest} bytes of something else`;
  return { seconds: samples / first.sampleRate, format: `mpeg layer ${first.layer} ${first.sampleRate} Hz` };
}
