export { decodeMulaw, encodeMulaw, linearToMulaw, mulawToLinear, MULAW_SILENCE } from './mulaw.js';
export { durationMs, pcm16FromLittleEndian, pcm16ToLittleEndian, toInt16, type Pcm16 } from './pcm16.js';
export { resamplePcm16 } from './resample.js';
export { decodeWav, encodeWav, parseWav, WavFormatError, type ParsedWav, type WavFormat } from './wav.js';
export { id3v2Length, inspectMpegAudio, isMpegAudio, parseMpegFrameHeader, type MpegFrameHeader, type MpegStreamSummary } from './mpeg-audio.js';
export { silentMp3, type SilentMp3Options } from './silent-mp3.js';
export { pcm16ToMulaw8000, pcm16ToWav, rawPcm16, TELEPHONY_SAMPLE_RATE } from './telephony-audio.js';
export { checkSynthesisRequest, synthesizedAudio, unknownVoice } from './synthesis-request.js';
