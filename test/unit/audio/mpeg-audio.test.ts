import { describe, expect, it } from 'vitest';
import { id3v2Length, inspectMpegAudio, isMpegAudio, parseMpegFrameHeader } from '../../../adapters/audio/mpeg-audio.js';
import { silentMp3 } from '../../../adapters/audio/silent-mp3.js';

describe('MPEG audio frames', () => {
  it('parses well-known frame headers', () => {
    // FF FB 90 64: MPEG-1 Layer III, 128 kbps, 44.1 kHz, no padding, joint stereo.
    expect(parseMpegFrameHeader(Uint8Array.from([0xff, 0xfb, 0x90, 0x64]))).toEqual({
      version: '1', layer: 3, bitrateKbps: 128, sampleRate: 44100, padding: false, channelMode: 1, hasCrc: false,
      frameLength: 417, samplesPerFrame: 1152,
    });
    // FF F3 64 C4: MPEG-2 Layer III, 48 kbps, 24 kHz (Edge's audio-24khz-48kbitrate-mono-mp3), mono.
    expect(parseMpegFrameHeader(Uint8Array.from([0xff, 0xf3, 0x64, 0xc4]))).toMatchObject({
      version: '2', layer: 3, bitrateKbps: 48, sampleRate: 24000, channelMode: 3, frameLength: 144, samplesPerFrame: 576,
    });
    // Padding adds one byte; MPEG-1 Layer II keeps the 144 factor.
    expect(parseMpegFrameHeader(Uint8Array.from([0xff, 0xfb, 0x92, 0x64]))?.frameLength).toBe(418);
    expect(parseMpegFrameHeader(Uint8Array.from([0xff, 0xfd, 0x90, 0x04]))).toMatchObject({ layer: 2, bitrateKbps: 160, frameLength: 522 });
  });

  it('refuses bytes that are not a frame header', () => {
    const bad = [
      [0xff, 0xfb, 0xf0, 0x64], // bitrate index 15
      [0xff, 0xfb, 0x9c, 0x64], // sample rate index 3
      [0xff, 0xf9, 0x90, 0x64], // layer bits 00
      [0xff, 0xeb, 0x90, 0x64], // version bits 01 (reserved)
      [0xff, 0x7b, 0x90, 0x64], // broken sync
      [0xff, 0xfb, 0x00, 0x64], // free format
      [0xff, 0xfb, 0x90],
    ];
    for (const bytes of bad) expect(parseMpegFrameHeader(Uint8Array.from(bytes))).toBeNull();
  });

  it('generates silent frames that walk as one consistent stream of the asked duration', () => {
    const mp3 = silentMp3({ durationMs: 1000, sampleRate: 44100, bitrateKbps: 128 });
    const summary = inspectMpegAudio(mp3);
    expect(summary).toMatchObject({ frames: 39, trailingBytes: 0, first: { version: '1', layer: 3, sampleRate: 44100, bitrateKbps: 128, channelMode: 3 } });
    expect(summary?.durationMs).toBeGreaterThanOrEqual(1000);
    expect(summary?.durationMs).toBeLessThan(1000 + 1152 / 44.1);
    // Padding is spread so that the average bitrate is exact: 39 frames × 417.96 bytes.
    expect(mp3.length).toBe(Math.floor((39 * 1152 * 128000) / 8 / 44100));
  });

  it.each([
    [24000, 48, '2', 144], [22050, 32, '2', 104], [16000, 32, '2', 144], [48000, 64, '1', 192], [32000, 32, '1', 144],
  ] as const)('makes %i Hz / %i kbps frames', (sampleRate, bitrateKbps, version, frameLength) => {
    const summary = inspectMpegAudio(silentMp3({ durationMs: 200, sampleRate, bitrateKbps }));
    expect(summary?.first).toMatchObject({ version, sampleRate, bitrateKbps, frameLength });
  });

  it('skips an ID3v2 tag and tolerates an ID3v1 tag at the end', () => {
    const frames = silentMp3({ durationMs: 100 });
    const id3 = Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5]);
    expect(id3v2Length(id3)).toBe(15);
    const tagged = new Uint8Array([...id3, ...frames, ...new TextEncoder().encode('TAG'), ...new Uint8Array(125)]);
    expect(inspectMpegAudio(tagged)).toMatchObject({ frames: 5, trailingBytes: 128 });
  });

  it('says no to WAV, μ-law, text and a valid first frame followed by garbage', () => {
    expect(isMpegAudio(new TextEncoder().encode('RIFF\0\0\0\0WAVEfmt '))).toBe(false);
    expect(isMpegAudio(new Uint8Array(800).fill(0x7f))).toBe(false);
    expect(isMpegAudio(new TextEncoder().encode('{"detail":"nope"}'))).toBe(false);
    const frames = silentMp3({ durationMs: 100 });
    expect(isMpegAudio(new Uint8Array([...frames, ...new Uint8Array(400).fill(0x41)]))).toBe(false);
    expect(isMpegAudio(frames)).toBe(true);
  });

  it('refuses parameters MPEG cannot express', () => {
    expect(() => silentMp3({ durationMs: 10, sampleRate: 8000 })).toThrow(RangeError);
    expect(() => silentMp3({ durationMs: 10, sampleRate: 44100, bitrateKbps: 48 + 1 })).toThrow(RangeError);
  });
});
