import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpolateEnv } from '../../hosts/config/interpolate.js';
import { loadConfig } from '../../hosts/config/load-config.js';
import { isDomainError } from '../../ports/errors.js';
import { tempDir } from '../support/plugin-context.js';

function configFile(yaml: string): string {
  const file = join(tempDir(), 'config.yaml');
  writeFileSync(file, yaml);
  return file;
}

function loadError(file: string, env: NodeJS.ProcessEnv): string {
  try {
    loadConfig({ file, env });
  } catch (err) {
    if (isDomainError(err)) {
      expect(err.code).toBe('CONFIG_INVALID');
      return err.message;
    }
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('environment interpolation', () => {
  it('substitutes variables and defaults, and records unset ones by path', () => {
    const { value, missing } = interpolateEnv(
      { a: '${A}', b: '${B:-fallback}', c: 'x-${A}-y', d: { e: '${NOPE}' }, f: '${EMPTY:-}' },
      { A: 'one' },
    );
    expect(value).toEqual({ a: 'one', b: 'fallback', c: 'x-one-y', d: {} });
    expect([...missing]).toEqual([['d.e', 'NOPE']]);
  });
});

describe('configuration loading', () => {
  it('loads the built-in defaults: SQLite, demo telephony, 127.0.0.1:3000', () => {
    const { config, warnings } = loadConfig({ env: {} });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 3000 });
    expect(config.db.use).toBe('sqlite');
    expect(config.telephony?.use).toBe('mock');
    expect(config.publicBaseUrl).toBeNull();
    expect(warnings.some((w) => w.includes('COMMS_ADMIN_TOKEN'))).toBe(true);
  });

  it('coerces environment strings to the schema types', () => {
    const file = configFile('server: { host: 127.0.0.1, port: "${PORT}" }\ndb: { use: sqlite }\n');
    expect(loadConfig({ file, env: { PORT: '4123' } }).config.server.port).toBe(4123);
  });

  it('reports every problem, one line each, naming keys', () => {
    const message = loadError(configFile('server: { port: "abc", colour: 1 }\ndb: {}\npublicBaseUrl: "ftp://x"\n'), {});
    expect(message).toContain('server.port');
    expect(message).toContain('"colour"');
    expect(message).toContain('db.use is required');
    expect(message).toContain('publicBaseUrl');
  });

  it('names the environment variable of a missing required value', () => {
    const message = loadError(configFile('server: {}\ndb:\n  use: ${DB_ADAPTER}\n'), {});
    expect(message).toContain('db.use is missing: set the DB_ADAPTER environment variable');
  });

  it('leaves a disabled channel out, with a warning, instead of refusing to start', () => {
    const file = configFile('server: {}\ndb: { use: sqlite }\ntelephony: { use: twilio, enabled: false, options: { authToken: "${TWILIO_AUTH_TOKEN}" } }\n');
    const { config, warnings } = loadConfig({ file, env: {} });
    expect(config.telephony).toBeNull();
    expect(warnings.some((w) => w.includes('sms channel is off'))).toBe(true);
  });

  it('takes each adapter\'s options from providers, so that switching is an edit of `use` alone', () => {
    const yaml = [
      'server: {}', 'db: { use: sqlite }',
      'telephony:', '  use: ${TELEPHONY:-twilio}', '  providers:',
      '    twilio: { accountSid: AC00000000000000000000000000000001, authToken: t }',
      '    vonage: { apiKey: k, apiSecret: s, signatureSecret: x }',
      'email: { use: resend, options: { apiKey: re_x } }',
    ].join('\n');
    const file = configFile(yaml);
    expect(loadConfig({ file, env: {} }).config.telephony).toMatchObject({
      use: 'twilio', options: { authToken: 't' }, optionsPath: 'telephony.providers.twilio',
    });
    expect(loadConfig({ file, env: { TELEPHONY: 'vonage' } }).config.telephony).toMatchObject({ use: 'vonage', options: { apiKey: 'k' } });
    expect(loadConfig({ file, env: {} }).config.email).toMatchObject({ use: 'resend', options: { apiKey: 're_x' }, optionsPath: 'email.options' });
  });

  it('reads a list in `use` as a failover order, each member with its own options', () => {
    const file = configFile([
      'server: {}', 'db: { use: sqlite }',
      'telephony:', '  use: [twilio, vonage]', '  providers:', '    twilio: { authToken: t }', '    vonage: { apiKey: k }',
    ].join('\n'));
    const telephony = loadConfig({ file, env: {} }).config.telephony;
    expect(telephony?.use).toBe('twilio,vonage');
    expect(telephony?.members).toEqual([
      { use: 'twilio', enabled: true, options: { authToken: 't' }, optionsPath: 'telephony.providers.twilio' },
      { use: 'vonage', enabled: true, options: { apiKey: 'k' }, optionsPath: 'telephony.providers.vonage' },
    ]);
  });

  it('refuses a list in `use` outside the message channels, and `options` beside a list', () => {
    expect(loadError(configFile('server: {}\ndb: { use: sqlite }\ntts: { use: [edge, espeak] }\n'), {}))
      .toContain('tts.use takes one adapter');
    expect(loadError(configFile('server: {}\ndb: { use: sqlite }\ntelephony: { use: [twilio, vonage], options: { a: 1 } }\n'), {}))
      .toContain('telephony.options does not apply to a list');
  });

  it('reports a file that does not exist or is not YAML', () => {
    expect(loadError(join(tempDir(), 'nope.yaml'), {})).toContain('not found');
    expect(loadError(configFile('server: [unclosed'), {})).toContain('not valid YAML');
  });
});

describe('usage configuration', () => {
  it('fills the default tier, prices and thresholds when the section is absent', () => {
    const { config } = loadConfig({ file: configFile('server: {}\ndb: { use: sqlite }\n'), env: {} });
    expect(config.usage).toMatchObject({ enabled: true, currency: 'USD', defaultTier: 'standard', callReserveMinutes: 5, holdSeconds: 900, alertThresholds: [80, 100] });
    expect(config.usage.tiers.standard).toMatchObject({ spend: { perDay: '50', perMonth: '500' }, perContact: { callsPerDay: 3, messagesPerDay: 20 } });
    expect(config.usage.prices.every((p) => p.provider === '*')).toBe(true);
  });

  it('reads YAML numbers as exact decimal amounts, and refuses amounts with more than 6 decimals', () => {
    const { config } = loadConfig({ file: configFile('server: {}\ndb: { use: sqlite }\nusage: { tiers: { standard: { spend: { perDay: 12.5 } } } }\n'), env: {} });
    expect(config.usage.tiers.standard?.spend?.perDay).toBe('12.5');
    expect(loadError(configFile('server: {}\ndb: { use: sqlite }\nusage: { prices: [ { channel: sms, unitPrice: "0.0000001" } ] }\n'), {})).toContain('usage.prices.0.unitPrice');
  });

  it('refuses a default tier that no tier defines', () => {
    expect(loadError(configFile('server: {}\ndb: { use: sqlite }\nusage: { defaultTier: gold }\n'), {})).toContain('usage.defaultTier "gold"');
  });
});
