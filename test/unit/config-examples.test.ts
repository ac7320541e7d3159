import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { AdapterConfig } from '../../hosts/config/app-config.js';
import { OPTIONAL_SECTIONS } from '../../hosts/config/app-config.js';
import { loadConfig } from '../../hosts/config/load-config.js';
import { BUILT_IN_PLUGINS } from '../../plugins/built-in.js';
import type { PluginDefinition, PortName } from '../../ports/plugin.js';

/** A plausible value for each variable the examples use. */
function sampleValue(name: string): string | undefined {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) return undefined;
  if (name === 'PORT') return '3000';
  if (name === 'HOST') return '127.0.0.1';
  if (name.endsWith('ACCOUNT_SID')) return `AC${'0'.repeat(32)}`;
  if (name.endsWith('APPLICATION_ID')) return '00000000-0000-4000-8000-000000000000';
  if (name.endsWith('WEBHOOK_SECRET')) return 'whsec_c2FtcGxlLXNlY3JldC1mb3ItdGVzdHM=';
  if (name === 'LOG_LEVEL') return 'info';
  if (name === 'LOG_FORMAT') return 'json';
  if (name === 'COMMS_DATA_DIR' || name === 'COMMS_CONFIG') return undefined;
  if (name.endsWith('_URL') || name.endsWith('_ENDPOINT')) return name === 'DATABASE_URL' ? 'postgresql://postgres@127.0.0.1:5432/test' : 'https://comms.example.com';
  return 'sample-value-for-tests-0123456789';
}

const examples = join(import.meta.dirname, '..', '..', 'config', 'examples');
const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

/** The built-in adapter's definition, when `use` names a built-in one. */
async function builtIn(port: PortName, use: string): Promise<PluginDefinition | null> {
  const load = BUILT_IN_PLUGINS[port][use];
  return load ? ((await load()).default as PluginDefinition) : null;
}

const env = new Proxy({}, { get: (_t, name) => (typeof name === 'string' ? sampleValue(name) : undefined) }) as NodeJS.ProcessEnv;

/**
 * Every shipped example must stay valid as an overlay of the defaults (with its variables set): against the
 * config schema, and each adapter's options against its plugin's.
 */
describe('config examples', () => {
  it.each(readdirSync(examples).filter((f) => f.endsWith('.yaml')))('%s is valid', async (file) => {
    const { config } = loadConfig({ file: join(examples, file), env });
    expect(config.db.use).toMatch(/sqlite|postgresql/);
    for (const port of ['db', ...OPTIONAL_SECTIONS] as const) {
      const section: AdapterConfig | null = config[port];
      for (const adapter of section?.members ?? (section ? [section] : [])) {
        const definition = await builtIn(port, adapter.use);
        if (!definition) continue;
        const validate = ajv.compile(definition.optionsSchema);
        expect(validate(structuredClone(adapter.options)), `${adapter.optionsPath}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      }
    }
  });

  it('combine in order: the PostgreSQL example under the Twilio one', () => {
    const { config } = loadConfig({ files: [join(examples, 'postgresql.yaml'), join(examples, 'twilio.yaml')], env });
    expect(config.db).toMatchObject({ use: 'postgresql', options: { url: 'postgresql://postgres@127.0.0.1:5432/test' } });
    expect(config.telephony).toMatchObject({ use: 'twilio', options: { accountSid: expect.any(String), authToken: expect.any(String) } });
    expect(config.email?.use).toBe('mock');
  });
});
