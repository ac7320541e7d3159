import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import elevenLabsPlugin from '../../adapters/elevenlabs/plugin.js';
import type { ElevenLabsOptions } from '../../adapters/elevenlabs/elevenlabs-options.js';
import { parseWav } from '../../adapters/audio/wav.js';
import { describeTtsContract } from '../../contracts/tts.js';
import type { CredentialCheck } from '../../ports/credential-check.js';
import type { PluginContext, ProviderEventSink } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { TtsPort } from '../../ports/tts.js';
import { ElevenLabsSimulator } from '../simulators/elevenlabs/elevenlabs-simulator.js';

const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };
/** Ignores every provider event, whatever methods the sink grows. */
const silentEvents = new Proxy({}, { get: () => () => undefined }) as ProviderEventSink;

function pluginContext(): PluginContext {
  let counter = 0;
  return {
    logger: silentLogger,
    clock: { now: () => new Date() },
    ids: { next: (prefix) => `${prefix}_${(counter += 1)}` },
    publicBaseUrl: 'http://127.0.0.1:1',
    configDir: '/nonexistent-config',
    dataDir: '/nonexistent-data',
    events: silentEvents,
  };
}

const TTS_ONLY_KEY = 'sk_ttsOnly0123456789';
const sim = new ElevenLabsSimulator({ ttsOnlyApiKey: TTS_ONLY_KEY });
beforeAll(() => sim.start());
afterAll(() => sim.stop());

function create(options: Partial<ElevenLabsOptions> = {}): Promise<TtsPort> {
  return elevenLabsPlugin.create({ apiKey: sim.apiKey, baseUrl: sim.baseUrl, ...options }, pluginContext());
}

async function failure(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

describeTtsContract({
  name: 'elevenlabs (against the simulator)',
  capabilities: { formats: ['mp3', 'wav', 'ulaw_8000'], maxTextLength: 5000 },
  async factory() {
    sim.reset();
    return {
      port: await create(),
      harness: {
        knownVoice: '21m00Tcm4TlvDq8ikWAM',
        unknownVoice: 'NoSuchVoice0000000000',
        failNext: () => sim.failNext({ status: 503 }),
        providerRequests: () => sim.requests.length,
      },
    };
  },
});

describe('elevenlabs adapter', () => {
  it('is the plugin "elevenlabs" of the tts port, with apiKey as a secret', () => {
    expect(elevenLabsPlugin).toMatchObject({ apiVersion: 1, port: 'tts', id: 'elevenlabs', secrets: ['apiKey'] });
  });

  it('asks for telephony output formats with the configured model and default voice', async () => {
    sim.reset();
    const port = await create({ modelId: 'eleven_multilingual_v2', voiceId: 'EXAVITQu4vr4xnSDxMaL' });
    await port.synthesize({ text: 'One', format: 'ulaw_8000' });
    await port.synthesize({ text: 'Two', format: 'mp3' });
    const wav = await port.synthesize({ text: 'Three', format: 'wav' });
    expect(sim.requests.map((r) => [r.path, r.query.output_format, (r.body as { model_id?: string }).model_id])).toEqual([
      ['/v1/text-to-speech/EXAVITQu4vr4xnSDxMaL', 'ulaw_8000', 'eleven_multilingual_v2'],
      ['/v1/text-to-speech/EXAVITQu4vr4xnSDxMaL', 'mp3_22050_32', 'eleven_multilingual_v2'],
      ['/v1/text-to-speech/EXAVITQu4vr4xnSDxMaL', 'pcm_16000', 'eleven_multilingual_v2'],
    ]);
    // The 16 kHz PCM is wrapped as it came, sample for sample.
    const parsed = parseWav(wav.audio);
    expect(parsed.format).toMatchObject({ audioFormat: 1, sampleRate: 16000, channels: 1, bitsPerSample: 16 });
    expect(parsed.data).toEqual(sim.syntheses[2]?.bytes);
    expect(sim.syntheses[0]?.bytes).toEqual((await port.synthesize({ text: 'One', format: 'ulaw_8000' })).audio);
  });

  it('sends trimmed text and refuses a voice id that cannot exist without calling ElevenLabs', async () => {
    sim.reset();
    const port = await create();
    await port.synthesize({ text: '  Hello there.  ', format: 'ulaw_8000' });
    expect(sim.syntheses[0]?.text).toBe('Hello there.');
    expect(await failure(port.synthesize({ text: 'Hi', voice: '../v1/voices', format: 'mp3' }))).toMatchObject({ code: 'UNKNOWN_VOICE' });
    expect(sim.requests).toHaveLength(1);
  });

  it('maps a refused API key to PROVIDER_AUTH_FAILED and never echoes the key', async () => {
    const port = await create({ apiKey: 'sk_wrong_key_123' });
    const err = await failure(port.synthesize({ text: 'Hi', format: 'mp3' }));
    expect(err).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { providerStatus: 401, providerCode: 'invalid_api_key' } });
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain('sk_wrong_key_123');
  });

  it('checks its credentials by reading the configured voice, free; a TTS-only key passes, a wrong key, an unknown voice or an outage fails coded', async () => {
    const check = async (options: Partial<ElevenLabsOptions> = {}) => ((await create(options)) as TtsPort & CredentialCheck).checkCredentials();
    sim.reset();
    expect(await check()).toMatch(/^API key accepted; voice \w+ found$/);
    expect(await check({ apiKey: TTS_ONLY_KEY })).toContain('may not read voices');
    const wrong = await failure(check({ apiKey: 'sk_wrong_key_123' }));
    expect(wrong).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { providerCode: 'invalid_api_key' } });
    expect(JSON.stringify({ ...wrong, message: wrong.message })).not.toContain('sk_wrong_key_123');
    expect(await failure(check({ voiceId: 'NoSuchVoice0000000000' }))).toMatchObject({ code: 'UNKNOWN_VOICE' });
    sim.failNext({ status: 503 });
    expect(await failure(check())).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(sim.requests.map((r) => `${r.method} ${r.path.split('/').slice(0, 3).join('/')}`)).toEqual(Array(5).fill('GET /v1/voices'));
  });

  it('maps 429 to RATE_LIMITED with the Retry-After delay, and 5xx to PROVIDER_UNAVAILABLE', async () => {
    const port = await create();
    sim.failNext({ status: 429, retryAfterSeconds: 3 });
    expect(await failure(port.synthesize({ text: 'Hi', format: 'mp3' }))).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 3 } });
    sim.failNext({ status: 500 });
    expect(await failure(port.synthesize({ text: 'Hi', format: 'mp3' }))).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', details: { providerStatus: 500 } });
  });

  it('maps a hung request to PROVIDER_TIMEOUT after timeoutMs', async () => {
    const port = await create({ timeoutMs: 300 });
    sim.hangNext();
    const started = Date.now();
    expect(await failure(port.synthesize({ text: 'Hi', format: 'mp3' }))).toMatchObject({ code: 'PROVIDER_TIMEOUT', details: { timeoutMs: 300 } });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('maps dropped connections, audio cut off halfway and an unreachable host to PROVIDER_UNAVAILABLE', async () => {
    const port = await create();
    sim.dropNext();
    expect(await failure(port.synthesize({ text: 'Hi', format: 'mp3' }))).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    sim.truncateNext();
    expect(await failure(port.synthesize({ text: 'Hello there, how are you?', format: 'ulaw_8000' }))).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port: deadPort } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await create({ baseUrl: `http://127.0.0.1:${deadPort}` });
    expect(await failure(unreachable.synthesize({ text: 'Hi', format: 'mp3' }))).toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
  });

  it('maps other refusals (an unknown model) to PROVIDER_REJECTED with ElevenLabs\' reason', async () => {
    const port = await create({ modelId: 'eleven_imaginary' });
    expect(await failure(port.synthesize({ text: 'Hi', format: 'mp3' }))).toMatchObject({
      code: 'PROVIDER_REJECTED', details: { providerStatus: 400, providerCode: 'model_not_found' },
    });
  });
});
