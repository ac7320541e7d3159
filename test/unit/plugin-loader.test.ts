import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_PLUGINS } from '../../plugins/built-in.js';
import { loadPlugin } from '../../plugins/plugin-loader.js';
import { isDomainError } from '../../ports/errors.js';
import type { PluginDefinition, PortName } from '../../ports/plugin.js';
import { testPluginContext } from '../support/plugin-context.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'plugins');
const ctx = testPluginContext({ configDir: fixtures });

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    if (isDomainError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a failure');
}

describe('plugin loader', () => {
  it('loads a third-party plugin from a file path relative to the config folder and builds it', async () => {
    const loaded = await loadPlugin('telephony', { use: './echo-telephony.mjs', options: { prefix: 'EC' } }, ctx);
    expect(loaded.id).toBe('echo');
    const result = await loaded.port.sendSms({ from: '+15550100001', to: '+15550100002', body: 'hi', reference: 'msg_1' });
    expect(result.providerMessageId).toMatch(/^EC\d+$/);
  });

  it('loads a third-party plugin installed as a package, resolved from the config folder', async () => {
    const loaded = await loadPlugin('telephony', { use: '@acme/comms-echo-telephony', options: { prefix: 'PKG' } }, ctx);
    expect(loaded.id).toBe('echo');
    expect((await loaded.port.sendSms({ from: '+15550100001', to: '+15550100002', body: 'hi', reference: 'msg_2' })).providerMessageId).toMatch(/^PKG/);
  });

  it('loads built-in adapters by short name', async () => {
    const loaded = await loadPlugin('telephony', { use: 'mock', options: {} }, ctx);
    expect(loaded.id).toBe('mock');
  });

  it('refuses an unknown plugin and lists the known names', async () => {
    const e = await failure(loadPlugin('telephony', { use: 'nosuchvendor', options: {} }, ctx));
    expect(e.code).toBe('PLUGIN_INVALID');
    expect(e.message).toContain('twilio');
    expect(e.message).toContain('mock');
    expect(e.message.split('\n')).toHaveLength(1);
  });

  it('refuses a missing plugin file', async () => {
    const e = await failure(loadPlugin('telephony', { use: './missing.mjs', options: {} }, ctx));
    expect(e.code).toBe('PLUGIN_INVALID');
    expect(e.message).toContain('missing.mjs');
  });

  it('refuses a plugin for another port', async () => {
    const e = await failure(loadPlugin('telephony', { use: './wrong-port.mjs', options: {} }, ctx));
    expect(e.code).toBe('PLUGIN_INVALID');
    expect(e.message).toMatch(/"email" plugin/);
  });

  it('refuses another apiVersion', async () => {
    const e = await failure(loadPlugin('telephony', { use: './future-api.mjs', options: {} }, ctx));
    expect(e.code).toBe('PLUGIN_INVALID');
    expect(e.message).toContain('apiVersion 2');
  });

  it('refuses a module without a plugin definition', async () => {
    const e = await failure(loadPlugin('telephony', { use: './not-a-plugin.mjs', options: {} }, ctx));
    expect(e.code).toBe('PLUGIN_INVALID');
  });

  it('refuses a third-party plugin whose options schema is not a valid JSON Schema', async () => {
    const e = await failure(loadPlugin('telephony', { use: './bad-schema.mjs', options: {} }, ctx));
    expect(e.code).toBe('PLUGIN_INVALID');
    expect(e.message).toContain('bad-schema');
    expect(e.message).toContain('options schema');
  });

  // The loader compiles built-in schemas without checking them against the meta-schema (a start-up cost): this does.
  it('ships built-in plugins whose options schemas are valid JSON Schemas', async () => {
    const ajv = new Ajv2020({ strict: false });
    const invalid: string[] = [];
    for (const [port, plugins] of Object.entries(BUILT_IN_PLUGINS) as Array<[PortName, Record<string, () => Promise<{ default: unknown }>>]>) {
      for (const [use, load] of Object.entries(plugins)) {
        const def = (await load()).default as PluginDefinition;
        if (!ajv.validateSchema(def.optionsSchema)) invalid.push(`${port}/${use}: ${ajv.errorsText()}`);
      }
    }
    expect(invalid).toEqual([]);
  }, 180_000);

  it('reports a bad option with its path', async () => {
    const e = await failure(loadPlugin('telephony', { use: './echo-telephony.mjs', options: { prefix: 7 } }, ctx));
    expect(e.code).toBe('PLUGIN_INVALID');
    expect(e.message).toContain('telephony.options.prefix');
  });

  it('reports a missing credential with the environment variable that should hold it', async () => {
    const missingEnv = new Map([['telephony.options.authToken', 'TWILIO_AUTH_TOKEN']]);
    const e = await failure(loadPlugin('telephony', { use: 'twilio', options: { accountSid: 'AC' + '0'.repeat(32) } }, ctx, { missingEnv }));
    expect(e.code).toBe('PLUGIN_INVALID');
    expect(e.message).toContain('telephony.options.authToken');
    expect(e.message).toContain('TWILIO_AUTH_TOKEN');
    expect(e.message).toContain('credential');
  });
});
