import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialCheck } from '../../ports/credential-check.js';
import { describeSttContract } from '../../contracts/stt.js';
import { loadPlugin } from '../../plugins/plugin-loader.js';
import { DeepgramSimulator } from '../simulators/deepgram/deepgram-simulator.js';
import { testPluginContext } from '../support/plugin-context.js';
import { spokenLinear16, spokenMulaw } from '../support/spoken-audio.js';

const simulator = new DeepgramSimulator();
beforeAll(() => simulator.start());
afterAll(() => simulator.stop());

async function adapter(apiKey = simulator.apiKey, extra: Record<string, unknown> = {}) {
  const loaded = await loadPlugin('stt', { use: 'deepgram', options: { apiKey, baseUrl: simulator.baseUrl, endpointingMs: 200, connectTimeoutMs: 3000, ...extra } }, testPluginContext());
  return loaded.port;
}

for (const request of [{ encoding: 'mulaw' as const, sampleRate: 8000 }, { encoding: 'linear16' as const, sampleRate: 16000 }]) {
  describeSttContract({
    name: `deepgram (simulator, ${request.encoding} ${request.sampleRate} Hz, espeak-ng speech)`,
    capabilities: { encodings: ['mulaw', 'linear16'], interimResults: true },
    request,
    secrets: [simulator.apiKey],
    async factory() {
      simulator.reset();
      return {
        port: await adapter(),
        harness: {
          utterance: (text, silenceMs) => (request.encoding === 'mulaw' ? spokenMulaw(text, silenceMs) : spokenLinear16(text, request.sampleRate, silenceMs)),
          willHear: (text) => simulator.hear(text),
          dropConnections: () => simulator.dropAll(),
          refuseCredentialsNext: () => simulator.refuseNext(401),
          unavailableNext: () => simulator.refuseNext(503),
        },
      };
    },
  });
}

describe('deepgram adapter: what it asks Deepgram for', () => {
  it('opens /v1/listen with the encoding, rate, interim results, endpointing, utterance end and VAD events, authenticated by Token', async () => {
    simulator.reset();
    const port = await adapter(undefined, { model: 'nova-3', language: 'en-GB', utteranceEndMs: 1200 });
    const stream = await port.open({ encoding: 'mulaw', sampleRate: 8000 }, () => undefined);
    await stream.finish();
    expect(simulator.upgrades.at(-1)).toMatchObject({
      path: '/v1/listen',
      status: 101,
      query: { model: 'nova-3', language: 'en-GB', encoding: 'mulaw', sample_rate: '8000', channels: '1', interim_results: 'true', endpointing: '200', utterance_end_ms: '1200', vad_events: 'true' },
    });
    expect(simulator.sessions.at(-1)?.controls).toEqual(['CloseStream']);
  });

  it('refuses a rate limit as RATE_LIMITED and an unreachable endpoint as PROVIDER_UNAVAILABLE', async () => {
    simulator.reset();
    const port = await adapter();
    simulator.refuseNext(429);
    await expect(port.open({ encoding: 'mulaw', sampleRate: 8000 }, () => undefined)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    const unreachable = (await loadPlugin('stt', { use: 'deepgram', options: { apiKey: 'k', baseUrl: 'ws://127.0.0.1:9' } }, testPluginContext())).port;
    await expect(unreachable.open({ encoding: 'mulaw', sampleRate: 8000 }, () => undefined)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
  });

  it('checks its credentials by listing the key\'s projects over REST, opening no stream; a wrong key or no answer fails coded', async () => {
    simulator.reset();
    const check = async (port: unknown) => (port as CredentialCheck).checkCredentials();
    expect(await check(await adapter())).toBe('API key accepted (1 project(s))');
    const wrong = await check(await adapter('wrong-key-0123456789')).catch((err: unknown) => err);
    expect(wrong).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', details: { providerStatus: 401 } });
    expect(JSON.stringify(wrong)).not.toContain('wrong-key-0123456789');
    const unreachable = (await loadPlugin('stt', { use: 'deepgram', options: { apiKey: 'k', baseUrl: 'ws://127.0.0.1:9' } }, testPluginContext())).port;
    await expect(check(unreachable)).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE' });
    expect(simulator.restRequests).toEqual(['/v1/projects', '/v1/projects']);
    expect(simulator.upgrades).toEqual([]);
  });
});
