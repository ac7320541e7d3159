import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import edgePlugin from '../../adapters/edge-tts/plugin.js';
import type { EdgeTtsOptions } from '../../adapters/edge-tts/edge-tts-options.js';
import { describeTtsContract } from '../../contracts/tts.js';
import type { PluginContext, ProviderEventSink } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { TtsPort } from '../../ports/tts.js';
import { EdgeTtsSimulator } from '../simulators/edge-tts/edge-tts-simulator.js';

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

const sim = new EdgeTtsSimulator();
beforeAll(() => sim.start());
afterAll(() => sim.stop());

function create(options: Partial<EdgeTtsOptions> = {}): Promise<TtsPort> {
  return edgePlugin.create({ wssUrl: sim.wssUrl, ...options }, pluginContext());
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
  name: 'edge (against the simulator)',
  capabilities: { formats: ['mp3'], maxTextLength: 5000 },
  async factory() {
    sim.reset();
    return {
      port: await create(),
      harness: {
        knownVoice: 'en-GB-SoniaNeural',
        unknownVoice: 'xx-XX-NobodyNeural',
        failNext: () => sim.closeMidStreamNext(),
        providerRequests: () => sim.connections.length,
      },
    };
  },
});

describe('edge adapter', () => {
  it('is the plugin "edge" of the tts port, without secrets', () => {
    expect(edgePlugin).toMatchObject({ apiVersion: 1, port: 'tts', id: 'edge' });
    expect(edgePlugin.secrets ?? []).toEqual([]);
  });

  it('uses the configured default voice and escapes the text so that markup is spoken, not obeyed', async () => {
    sim.reset();
    const port = await create({ voice: 'fr-FR-DeniseNeural' });
    await port.synthesize({ text: 'Say <break time="5s"/> "fish" & chips\u0007', format: 'mp3' });
    expect(sim.syntheses[0]).toMatchObject({ voice: 'fr-FR-DeniseNeural', text: 'Say <break time="5s"/> "fish" & chips', outputFormat: 'audio-24khz-48kbitrate-mono-mp3' });
  });

  it('refuses a voice that cannot be an Edge ShortName without connecting', async () => {
    sim.reset();
    const port = await create();
    expect(await failure(port.synthesize({ text: 'Hi', voice: 'en-US-Aria"/><voice name="x', format: 'mp3' }))).toMatchObject({ code: 'UNKNOWN_VOICE' });
    expect(sim.connections).toHaveLength(0);
  });

  it('maps a hung synthesis to PROVIDER_TIMEOUT and a refused connection to PROVIDER_UNAVAILABLE', async () => {
    const port = await create({ timeoutMs: 300 });
    sim.hangNext();
    expect(await failure(port.synthesize({ text: 'Hi', format: 'mp3' }))).toMatchObject({ code: 'PROVIDER_TIMEOUT', details: { timeoutMs: 300 } });
    sim.refuseNext(503);
    expect(await failure(port.synthesize({ text: 'Hi', format: 'mp3' }))).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', details: { providerStatus: 503 } });
    sim.refuseNext(429);
    expect(await failure(port.synthesize({ text: 'Hi', format: 'mp3' }))).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('maps a refused Sec-MS-GEC token (server clock far off) to PROVIDER_AUTH_FAILED', async () => {
    const skewed = new EdgeTtsSimulator({ now: () => new Date(Date.now() + 3_600_000) });
    await skewed.start();
    try {
      const port = await edgePlugin.create({ wssUrl: skewed.wssUrl }, pluginContext());
      expect(await failure(port.synthesize({ text: 'Hi', format: 'mp3' }))).toMatchObject({ code: 'PROVIDER_AUTH_FAILED' });
    } finally {
      await skewed.stop();
    }
  });
});
