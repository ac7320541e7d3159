import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMulaw } from '../../adapters/audio/mulaw.js';
import { parseWav } from '../../adapters/audio/wav.js';
import { describeTtsContract } from '../../contracts/tts.js';
import { rejection } from '../../contracts/domain-error-assertions.js';
import { loadPlugin } from '../../plugins/plugin-loader.js';
import type { CredentialCheck } from '../../ports/credential-check.js';
import type { TtsPort } from '../../ports/tts.js';
import { OpenAiSpeechSimulator } from '../simulators/openai-speech/openai-speech-simulator.js';
import { testPluginContext } from '../support/plugin-context.js';

const sim = new OpenAiSpeechSimulator();
beforeAll(() => sim.start());
afterAll(() => sim.stop());

async function create(options: Record<string, unknown> = {}): Promise<TtsPort> {
  return (await loadPlugin('tts', { use: 'openai', options: { apiKey: sim.apiKey, baseUrl: sim.baseUrl, timeoutMs: 3000, ...options } }, testPluginContext())).port;
}

describeTtsContract({
  name: 'openai (against the speech simulator)',
  capabilities: { formats: ['mp3', 'wav', 'ulaw_8000'], maxTextLength: 4096 },
  async factory() {
    return {
      port: await create(),
      harness: {
        knownVoice: 'coral',
        unknownVoice: 'no-such-voice',
        failNext: () => sim.failNext({ status: 503 }),
        providerRequests: () => sim.requests.length,
      },
    };
  },
});

describe('openai tts adapter', () => {
  it('asks for the model, voice and instructions given, and raw PCM for μ-law (resampled 24 → 8 kHz) and WAV', async () => {
    const port = await create({ model: 'tts-1', voice: 'nova', instructions: 'Speak warmly.' });
    const ulaw = await port.synthesize({ text: 'Hello there, how are you?', format: 'ulaw_8000' });
    expect(sim.requests.at(-1)?.body).toEqual({ model: 'tts-1', voice: 'nova', input: 'Hello there, how are you?', response_format: 'pcm', instructions: 'Speak warmly.' });
    const pcmBytes = 25 * 65 * 24 * 2; // the simulator's 65 ms a character at 24 kHz, 16-bit
    expect(ulaw.audio.length).toBeCloseTo(pcmBytes / 6, -2);
    expect(Math.max(...decodeMulaw(ulaw.audio).map(Math.abs))).toBeGreaterThan(1000);
    const wav = parseWav((await port.synthesize({ text: 'Hello', format: 'wav' })).audio);
    expect(wav.format.sampleRate).toBe(16000);
    await port.synthesize({ text: 'Hello', format: 'mp3' });
    expect(sim.requests.at(-1)?.body.response_format).toBe('mp3');
  });

  it('maps a refused key, a rate limit and an unreachable server to the port\'s codes, revealing no key', async () => {
    const wrongKey = await create({ apiKey: 'sk-wrong-key-000' });
    const auth = await rejection(wrongKey.synthesize({ text: 'Hi', format: 'mp3' }));
    expect(auth.code).toBe('PROVIDER_AUTH_FAILED');
    expect(JSON.stringify({ m: auth.message, d: auth.details })).not.toContain('sk-wrong-key-000');
    sim.failNext({ status: 429 });
    expect((await rejection((await create()).synthesize({ text: 'Hi', format: 'mp3' }))).code).toBe('RATE_LIMITED');
    const down = await create({ baseUrl: 'http://127.0.0.1:9/v1' });
    expect((await rejection(down.synthesize({ text: 'Hi', format: 'mp3' }))).code).toBe('PROVIDER_UNAVAILABLE');
  });

  it('checks its credentials by listing models, synthesizing nothing; a wrong key fails PROVIDER_AUTH_FAILED, no server PROVIDER_UNAVAILABLE', async () => {
    const check = async (options: Record<string, unknown> = {}) => ((await create(options)) as TtsPort & CredentialCheck).checkCredentials();
    const [speechBefore, listingsBefore] = [sim.requests.length, sim.modelListings];
    expect(await check()).toBe('API key accepted, model gpt-4o-mini-tts listed');
    expect(await check({ model: 'my-local-voice' })).toBe('API key accepted, model my-local-voice not among the 3 listed');
    const auth = await rejection(check({ apiKey: 'sk-wrong-key-000' }));
    expect(auth.code).toBe('PROVIDER_AUTH_FAILED');
    expect(JSON.stringify({ m: auth.message, d: auth.details })).not.toContain('sk-wrong-key-000');
    expect((await rejection(check({ baseUrl: 'http://127.0.0.1:9/v1' }))).code).toBe('PROVIDER_UNAVAILABLE');
    expect(sim.modelListings - listingsBefore).toBe(3);
    expect(sim.requests.length).toBe(speechBefore);
  });
});
