import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../hosts/config/load-config.js';

/** A plausible value for each variable the examples use. */
function sampleValue(name: string): string | undefined {
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) return undefined;
  if (name === 'PORT') return '3000';
  if (name === 'HOST') return '127.0.0.1';
  if (name.endsWith('_URL') || name.endsWith('_ENDPOINT')) return name === 'DATABASE_URL' ? 'postgresql://postgres@127.0.0.1:5432/test' : 'https://comms.example.com';
  return 'sample-value-for-tests-0123456789';
}

const examples = join(import.meta.dirname, '..', '..', 'config', 'examples');

/** Every shipped example must stay valid against the schema (with its variables set). */
describe('config examples', () => {
  it.each(readdirSync(examples).filter((f) => f.endsWith('.yaml')))('%s is valid', (file) => {
    const env = new Proxy({}, { get: (_t, name) => (typeof name === 'string' ? sampleValue(name) : undefined) }) as NodeJS.ProcessEnv;
    const { config } = loadConfig({ file: join(examples, file), env });
    expect(config.db.use).toMatch(/sqlite|postgresql/);
  });
});
