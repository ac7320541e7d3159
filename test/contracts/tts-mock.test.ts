import { describe, expect, it } from 'vitest';
import { describeTtsContract } from '../../contracts/tts.js';
import mockTtsPlugin from '../../adapters/mock/tts-plugin.js';
import type { MockTts } from '../../adapters/mock/mock-tts.js';
import type { PluginContext, ProviderEventSink } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';

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

async function createMock(options: { voices?: string[]; maxTextLength?: number } = {}): Promise<MockTts> {
  return (await mockTtsPlugin.create(options, pluginContext())) as MockTts;
}

describeTtsContract({
  name: 'mock',
  capabilities: { formats: ['mp3', 'wav', 'ulaw_8000'], maxTextLength: 5000 },
  async factory() {
    const port = await createMock();
    return {
      port,
      harness: {
        knownVoice: 'mock-voice-2',
        failNext: () => port.failNext(),
        providerRequests: () => port.requests.length,
      },
    };
  },
});

describe('mock TTS plugin', () => {
  it('is the built-in "mock" of the tts port', () => {
    expect(mockTtsPlugin).toMatchObject({ apiVersion: 1, port: 'tts', id: 'mock' });
  });

  it('takes its voices and length limit from the options', async () => {
    const port = await createMock({ voices: ['robot'], maxTextLength: 10 });
    expect(port.capabilities.maxTextLength).toBe(10);
    await expect(port.synthesize({ text: 'hi', voice: 'robot', format: 'wav' })).resolves.toMatchObject({ contentType: 'audio/wav' });
    await expect(port.synthesize({ text: 'hi', voice: 'mock-voice', format: 'wav' })).rejects.toMatchObject({ code: 'UNKNOWN_VOICE' });
  });

  it('fails with any injected code, once', async () => {
    const port = await createMock();
    port.failNext('RATE_LIMITED');
    await expect(port.synthesize({ text: 'hi', format: 'mp3' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(port.synthesize({ text: 'hi', format: 'mp3' })).resolves.toMatchObject({ format: 'mp3' });
  });
});
