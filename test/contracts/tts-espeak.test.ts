import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import espeakPlugin from '../../adapters/espeak/plugin.js';
import type { EspeakOptions } from '../../adapters/espeak/espeak-options.js';
import { decodeMulaw } from '../../adapters/audio/mulaw.js';
import { decodeWav, parseWav } from '../../adapters/audio/wav.js';
import { describeTtsContract } from '../../contracts/tts.js';
import type { PluginContext, ProviderEventSink } from '../../ports/plugin.js';
import type { Logger } from '../../ports/runtime.js';
import type { TtsPort } from '../../ports/tts.js';

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

/**
 * espeak-ng behind a wrapper that counts syntheses and can be told to crash or hang once: the far side
 * of a local program is the program itself.
 */
const dir = mkdtempSync(join(tmpdir(), 'espeak-contract-'));
const wrapper = join(dir, 'espeak-ng-wrapper');
writeFileSync(wrapper, `#!/bin/sh
dir="$(dirname "$0")"
case " $* " in *" --stdout "*) echo x >> "$dir/calls";; esac
if [ -e "$dir/fail" ]; then rm -f "$dir/fail"; echo "simulated crash" >&2; exit 3; fi
if [ -e "$dir/hang" ]; then rm -f "$dir/hang"; exec sleep 5; fi
exec espeak-ng "$@"
`);
chmodSync(wrapper, 0o755);
const calls = () => (existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').split('\n').filter(Boolean).length : 0);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function create(options: EspeakOptions = {}): Promise<TtsPort> {
  return espeakPlugin.create({ binary: wrapper, ...options }, pluginContext());
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
  name: 'espeak (the real espeak-ng)',
  capabilities: { formats: ['wav', 'ulaw_8000'], maxTextLength: 5000 },
  async factory() {
    return {
      port: await create(),
      harness: {
        knownVoice: 'en-gb',
        unknownVoice: 'xx-nowhere',
        failNext: () => writeFileSync(join(dir, 'fail'), ''),
        providerRequests: calls,
      },
    };
  },
});

describe('espeak adapter', () => {
  it('is the plugin "espeak" of the tts port', () => {
    expect(espeakPlugin).toMatchObject({ apiVersion: 1, port: 'tts', id: 'espeak' });
  });

  it('refuses to start without espeak-ng, saying exactly how to install it', async () => {
    const err = await failure(espeakPlugin.create({ binary: join(dir, 'no-such-espeak') }, pluginContext()));
    expect(err).toMatchObject({ code: 'PLUGIN_INVALID' });
    expect(String(err.nextStep)).toContain('apt-get install espeak-ng');
    const notEspeak = await failure(espeakPlugin.create({ binary: 'true' }, pluginContext()));
    expect(notEspeak).toMatchObject({ code: 'PLUGIN_INVALID' });
  });

  it('refuses to start with a default voice espeak-ng does not have', async () => {
    expect(await failure(create({ voice: 'xx-nowhere' }))).toMatchObject({ code: 'PLUGIN_INVALID' });
  });

  it('speaks: 16 kHz WAV and 8 kHz μ-law of the same utterance, with real signal in them', async () => {
    const port = await create();
    const text = 'Your code is four, two, seven.';
    const wav = await port.synthesize({ text, format: 'wav' });
    const ulaw = await port.synthesize({ text, format: 'ulaw_8000' });
    const parsed = parseWav(wav.audio);
    expect(parsed.format).toMatchObject({ audioFormat: 1, sampleRate: 16000, channels: 1, bitsPerSample: 16 });
    const wavSeconds = parsed.data.length / 2 / 16000;
    expect(Math.abs(ulaw.audio.length / 8000 - wavSeconds)).toBeLessThan(0.01);
    const loud = (samples: Int16Array) => samples.filter((s) => Math.abs(s) > 2000).length;
    expect(loud(decodeWav(wav.audio).samples)).toBeGreaterThan(1000);
    expect(loud(decodeMulaw(ulaw.audio))).toBeGreaterThan(500);
  });

  it('accepts voices case-insensitively, language aliases and +variants', async () => {
    const port = await create({ voice: 'en' });
    for (const voice of ['EN-GB', 'en-us+f3', 'fr-fr', undefined]) {
      await expect(port.synthesize({ text: 'Bonjour', voice, format: 'ulaw_8000' })).resolves.toMatchObject({ format: 'ulaw_8000' });
    }
    expect(await failure(port.synthesize({ text: 'Hi', voice: 'en-us+nosuchvariant', format: 'wav' }))).toMatchObject({ code: 'UNKNOWN_VOICE' });
  });

  it('reads the text from stdin, so text that looks like an option is spoken', async () => {
    const port = await create();
    const audio = await port.synthesize({ text: '--version -v xx', format: 'ulaw_8000' });
    expect(audio.audio.length).toBeGreaterThan(4000);
  });

  it('kills a hung espeak-ng after timeoutMs and reports PROVIDER_TIMEOUT', async () => {
    const port = await create({ timeoutMs: 300 });
    writeFileSync(join(dir, 'hang'), '');
    const started = Date.now();
    expect(await failure(port.synthesize({ text: 'Hi', format: 'wav' }))).toMatchObject({ code: 'PROVIDER_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
