import { ElevenLabsClient, ElevenLabsError, ElevenLabsTimeoutError } from '@elevenlabs/elevenlabs-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inspectMpegAudio } from '../../adapters/audio/mpeg-audio.js';
import { decodeMulaw } from '../../adapters/audio/mulaw.js';
import { pcm16FromLittleEndian } from '../../adapters/audio/pcm16.js';
import { parseWav } from '../../adapters/audio/wav.js';
import { ElevenLabsSimulator } from './elevenlabs/elevenlabs-simulator.js';
import { MS_PER_CHARACTER } from './elevenlabs/speech-like-signal.js';

const sim = new ElevenLabsSimulator();
const GEORGE = 'JBFqnCBsd6RMkjVDRZzb';
const TEXT = 'Hello, your appointment is confirmed.';

beforeAll(() => sim.start());
afterAll(() => sim.stop());
beforeEach(() => sim.reset());

const client = (apiKey = sim.apiKey, timeoutInSeconds = 5) => new ElevenLabsClient({ apiKey, baseUrl: sim.baseUrl, maxRetries: 0, timeoutInSeconds });

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function rms(samples: Int16Array): number {
  return Math.sqrt(samples.reduce((sum, s) => sum + s * s, 0) / Math.max(1, samples.length));
}

const expectedMs = [...TEXT].length * MS_PER_CHARACTER;

describe('ElevenLabs simulator: text-to-speech', () => {
  it('answers ulaw_8000 with raw μ-law at 8 kHz that carries a speech-like signal', async () => {
    const audio = await bytesOf(await client().textToSpeech.convert(GEORGE, { text: TEXT, modelId: 'eleven_flash_v2_5', outputFormat: 'ulaw_8000' }));
    expect(audio.length).toBe((expectedMs * 8000) / 1000);
    expect(rms(decodeMulaw(audio))).toBeGreaterThan(1000);
    expect(sim.requests[0]).toMatchObject({
      method: 'POST', path: `/v1/text-to-speech/${GEORGE}`, query: { output_format: 'ulaw_8000' },
      headers: { 'xi-api-key': sim.apiKey }, body: { text: TEXT, model_id: 'eleven_flash_v2_5' },
    });
    expect(sim.syntheses.map((s) => [s.voiceId, s.outputFormat, s.streamed])).toEqual([[GEORGE, 'ulaw_8000', false]]);
  });

  it('answers pcm_16000 with raw little-endian PCM16 and wav_22050 with a WAV file', async () => {
    const pcm = await bytesOf(await client().textToSpeech.convert(GEORGE, { text: TEXT, outputFormat: 'pcm_16000' }));
    expect(pcm.length).toBe((expectedMs * 16000 * 2) / 1000);
    expect(rms(pcm16FromLittleEndian(pcm))).toBeGreaterThan(1000);
    const wav = parseWav(await bytesOf(await client().textToSpeech.convert(GEORGE, { text: TEXT, outputFormat: 'wav_22050' })));
    expect(wav.format).toMatchObject({ audioFormat: 1, sampleRate: 22050, channels: 1, bitsPerSample: 16 });
  });

  it('answers mp3 formats with valid MPEG frames of the right rate and length, by default mp3_44100_128', async () => {
    const small = inspectMpegAudio(await bytesOf(await client().textToSpeech.convert(GEORGE, { text: TEXT, outputFormat: 'mp3_22050_32' })));
    expect(small?.first).toMatchObject({ version: '2', layer: 3, sampleRate: 22050, bitrateKbps: 32 });
    expect(small?.durationMs).toBeGreaterThanOrEqual(expectedMs);
    const fallback = inspectMpegAudio(await bytesOf(await client().textToSpeech.convert(GEORGE, { text: TEXT })));
    expect(fallback?.first).toMatchObject({ version: '1', sampleRate: 44100, bitrateKbps: 128 });
  });

  it('streams the same bytes in chunks from /stream', async () => {
    const whole = await bytesOf(await client().textToSpeech.convert(GEORGE, { text: TEXT, outputFormat: 'ulaw_8000' }));
    const streamed = await bytesOf(await client().textToSpeech.stream(GEORGE, { text: TEXT, outputFormat: 'ulaw_8000' }));
    expect(streamed).toEqual(whole);
    expect(sim.syntheses.map((s) => s.streamed)).toEqual([false, true]);
    expect(sim.requests[1]?.path).toBe(`/v1/text-to-speech/${GEORGE}/stream`);
  });

  it('lists its voices and models', async () => {
    const voices = await client().voices.getAll();
    expect(voices.voices.map((v) => v.voiceId)).toEqual(sim.voices.map((v) => v.voice_id));
    const models = await fetch(`${sim.baseUrl}/v1/models`, { headers: { 'xi-api-key': sim.apiKey } });
    expect(((await models.json()) as { model_id: string }[]).map((m) => m.model_id)).toContain('eleven_multilingual_v2');
  });
});

describe('ElevenLabs simulator: errors as ElevenLabs answers them', () => {
  it('refuses a wrong or missing API key with 401', async () => {
    const err = await caught(client('sk_wrong').textToSpeech.convert(GEORGE, { text: TEXT }));
    expect(err).toBeInstanceOf(ElevenLabsError);
    expect(err).toMatchObject({ statusCode: 401, body: { detail: { status: 'invalid_api_key' } } });
    const missing = await fetch(`${sim.baseUrl}/v1/voices`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ detail: { status: 'missing_api_key' } });
  });

  it('answers an unknown voice with 404 voice_not_found', async () => {
    const err = await caught(client().textToSpeech.convert('nope', { text: TEXT }));
    expect(err).toMatchObject({ statusCode: 404, body: { detail: { status: 'voice_not_found', message: 'A voice with the voice_id nope was not found.' } } });
  });

  it('refuses unknown models, over-long and empty text, bad formats and bodies', async () => {
    expect(await caught(client().textToSpeech.convert(GEORGE, { text: TEXT, modelId: 'eleven_nope' }))).toMatchObject({ statusCode: 400, body: { detail: { status: 'model_not_found' } } });
    expect(await caught(client().textToSpeech.convert(GEORGE, { text: 'a'.repeat(10_001) }))).toMatchObject({ statusCode: 400, body: { detail: { status: 'max_character_limit_exceeded' } } });
    expect(await caught(client().textToSpeech.convert(GEORGE, { text: ' ' }))).toMatchObject({ statusCode: 400, body: { detail: { status: 'empty_text' } } });
    const post = (query: string, body: string) => fetch(`${sim.baseUrl}/v1/text-to-speech/${GEORGE}${query}`, {
      method: 'POST', headers: { 'xi-api-key': sim.apiKey, 'content-type': 'application/json' }, body,
    });
    const badFormat = await post('?output_format=mp3_8000_8', JSON.stringify({ text: TEXT }));
    expect(badFormat.status).toBe(422);
    expect(await badFormat.json()).toMatchObject({ detail: [{ loc: ['query', 'output_format'], type: 'enum' }] });
    const noText = await post('', '{}');
    expect(await noText.json()).toMatchObject({ detail: [{ loc: ['body', 'text'], type: 'missing' }] });
    expect((await post('', '{oops')).status).toBe(422);
    expect(sim.syntheses).toEqual([]);
  });
});

describe('ElevenLabs simulator: fault switches', () => {
  it('fails the next requests with 500 or 429 (with Retry-After), then recovers', async () => {
    sim.failNext({ status: 500 });
    sim.failNext({ status: 429, retryAfterSeconds: 7 });
    expect(await caught(client().textToSpeech.convert(GEORGE, { text: TEXT }))).toMatchObject({ statusCode: 500, body: { detail: { status: 'internal_server_error' } } });
    const limited = await caught(client().textToSpeech.convert(GEORGE, { text: TEXT }));
    expect(limited).toMatchObject({ statusCode: 429, body: { detail: { status: 'too_many_concurrent_requests' } } });
    expect((limited as ElevenLabsError).rawResponse?.headers.get('retry-after')).toBe('7');
    await expect(client().textToSpeech.convert(GEORGE, { text: TEXT })).resolves.toBeDefined();
  });

  it('hangs a request until the client gives up', async () => {
    sim.hangNext();
    const started = Date.now();
    // This SDK version aborts with the string reason "timeout", which surfaces as a plain ElevenLabsError.
    const err = await caught(client(sim.apiKey, 0.3).textToSpeech.convert(GEORGE, { text: TEXT }));
    expect(err).toBeInstanceOf(ElevenLabsError);
    expect(err instanceof ElevenLabsTimeoutError || (err as ElevenLabsError).cause === 'timeout').toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(sim.requests).toHaveLength(1);
  });

  it('drops the connection, or breaks it halfway through the audio', async () => {
    sim.dropNext();
    const dropped = await caught(client().textToSpeech.convert(GEORGE, { text: TEXT }));
    expect(dropped).toBeInstanceOf(ElevenLabsError);
    expect((dropped as ElevenLabsError).statusCode).toBeUndefined();
    sim.truncateNext();
    const stream = await client().textToSpeech.convert(GEORGE, { text: TEXT, outputFormat: 'ulaw_8000' });
    await expect(bytesOf(stream)).rejects.toThrow();
  });
});
