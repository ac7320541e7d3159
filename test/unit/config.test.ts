import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configReport, REDACTED } from '../../hosts/config/config-report.js';
import { defaultDataDir } from '../../hosts/config/data-dir.js';
import { interpolateEnv } from '../../hosts/config/interpolate.js';
import { defaultConfigFile, loadConfig } from '../../hosts/config/load-config.js';
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
    expect([...interpolateEnv({ a: '${A}', c: 'x-${A}' }, { A: 'one' }).fromEnv]).toEqual([['a', 'A'], ['c', 'A']]);
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
    const message = loadError(configFile('server: { port: "abc", colour: 1 }\ndb: { use: "" }\npublicBaseUrl: "ftp://x"\n'), {});
    expect(message).toContain('server.port');
    expect(message).toContain('"colour"');
    expect(message).toContain('db.use must NOT have fewer than 1 characters');
    expect(message).toContain('publicBaseUrl');
  });

  it('names the environment variable of a value left empty', () => {
    expect(loadConfig({ file: configFile('publicBaseUrl: ${PUBLIC_BASE_URL}\n'), env: {} }).warnings).toContain('publicBaseUrl is empty: PUBLIC_BASE_URL is not set.');
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
      { use: 'twilio', enabled: true, options: { authToken: 't' }, optionsPath: 'telephony.providers.twilio', dir: dirname(file) },
      { use: 'vonage', enabled: true, options: { apiKey: 'k' }, optionsPath: 'telephony.providers.vonage', dir: dirname(file) },
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

describe('config files are overlays over the embedded defaults', () => {
  const env = { TWILIO_ACCOUNT_SID: 'AC0123', TWILIO_AUTH_TOKEN: 'secret-token-value', COMMS_ADMIN_TOKEN: 'admin-token-0123456789abcdef' };

  it('takes a file that holds only what differs: the rest comes from the defaults', () => {
    const file = configFile('telephony: { use: twilio, options: { accountSid: "${TWILIO_ACCOUNT_SID}", authToken: "${TWILIO_AUTH_TOKEN}" } }\n');
    const { config, files } = loadConfig({ file, env });
    expect(files).toEqual([defaultConfigFile(), file]);
    expect(config.telephony).toMatchObject({ use: 'twilio', options: { accountSid: 'AC0123', authToken: 'secret-token-value' } });
    expect(config.db.use).toBe('sqlite');
    expect(config.email?.use).toBe('mock');
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 3000 });
  });

  it('turns a channel off with enabled: false alone, and warns about demo adapters beside a real provider', () => {
    const file = configFile('email: { enabled: false }\ntelephony: { use: twilio, options: { accountSid: a, authToken: b } }\n');
    const { config, warnings } = loadConfig({ file, env: {} });
    expect(config.email).toBeNull();
    expect(config.whatsapp?.use).toBe('mock');
    expect(warnings.some((w) => w.startsWith('whatsapp uses the demo adapter'))).toBe(true);
    expect(warnings.some((w) => w.startsWith('email uses'))).toBe(false);
  });

  it('applies several files in order; a folder stands for its files in name order', () => {
    const dir = tempDir();
    writeFileSync(join(dir, '10-port.yaml'), 'server: { port: 4001 }\nlog: { level: warn }\n');
    writeFileSync(join(dir, '20-port.yaml'), 'server: { port: 4002 }\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a config file');
    const later = configFile('log: { level: error }\n');
    const { config } = loadConfig({ files: [dir, later], env: {} });
    expect(config.server.port).toBe(4002);
    expect(config.log.level).toBe('error');
    expect(config.server.host).toBe('127.0.0.1');
  });

  it('starts a section afresh when its adapter changes, and removes a key set to null', () => {
    const first = configFile('storage: { use: s3, options: { bucket: b, region: auto } }\ncallbacks: { defaultUrl: "https://agent.example.com/in" }\n');
    const second = configFile('storage: { use: local, options: { dir: ./files } }\ncallbacks: { defaultUrl: null }\n');
    const { config } = loadConfig({ files: [first, second], env: {} });
    expect(config.storage).toEqual({ use: 'local', enabled: true, options: { dir: './files' }, optionsPath: 'storage.options', dir: dirname(second) });
    expect(config.callbacks.defaultUrl).toBeNull();
  });

  it('says where each value came from: file, environment variable, or schema default', () => {
    const file = configFile('telephony: { use: twilio, options: { accountSid: "${TWILIO_ACCOUNT_SID}", authToken: x } }\n');
    const { origins } = loadConfig({ file, env });
    expect(origins.get('telephony.options.accountSid')).toEqual({ source: file, variable: 'TWILIO_ACCOUNT_SID' });
    expect(origins.get('telephony.use')).toEqual({ source: file });
    expect(origins.get('db.use')).toEqual({ source: defaultConfigFile() });
    expect(origins.has('server.bodyLimitBytes')).toBe(false);
  });
});

describe('config show', () => {
  it('prints every effective value with its origin, secrets redacted (declared by the plugin, by name, or in a URL)', async () => {
    const file = configFile([
      'telephony: { use: twilio, options: { accountSid: AC0123, authToken: "${TWILIO_AUTH_TOKEN}" } }',
      'db: { use: postgresql, options: { url: "postgresql://comms:db-password@127.0.0.1:5432/comms" } }',
      'email: { use: smtp, options: { host: smtp.example.com, auth: { user: u, pass: smtp-password } } }',
      'publicBaseUrl: https://user:url-password@comms.example.com',
      '',
    ].join('\n'));
    const loaded = loadConfig({ file, env: { TWILIO_AUTH_TOKEN: 'twilio-secret', COMMS_ADMIN_TOKEN: 'admin-token-0123456789abcdef' } });
    const rows = await configReport(loaded);
    const row = (path: string) => rows.find((r) => r.path === path);
    const printed = JSON.stringify(rows);
    for (const secret of ['twilio-secret', 'db-password', 'smtp-password', 'url-password', 'admin-token-0123456789abcdef']) expect(printed).not.toContain(secret);
    expect(row('telephony.options.authToken')).toEqual({ path: 'telephony.options.authToken', value: REDACTED, origin: `${file} (TWILIO_AUTH_TOKEN)` });
    expect(row('telephony.options.accountSid')?.value).toBe('AC0123');
    expect(row('auth.adminToken')).toMatchObject({ value: REDACTED, origin: `${defaultConfigFile()} (COMMS_ADMIN_TOKEN)` });
    expect(row('publicBaseUrl')?.value).toBe(`https://user:${REDACTED}@comms.example.com`);
    expect(row('server.bodyLimitBytes')).toMatchObject({ value: 16777216, origin: 'default (config/schema.json)' });
    expect(row('dataDir')?.origin).toBe('per-user data folder');
  });

  it('redacts a secret that is a map (signing secrets by agent) whole', async () => {
    const file = configFile('email: { use: resend, options: { apiKey: re_x, agentWebhookSecrets: { agt_a: whsec_c2VjcmV0LWZvci1h } } }\n');
    const rows = await configReport(loadConfig({ file, env: {} }));
    expect(JSON.stringify(rows)).not.toContain('whsec_c2VjcmV0LWZvci1h');
    expect(rows.find((r) => r.path === 'email.options.agentWebhookSecrets')?.value).toBe(REDACTED);
  });
});

describe('data folder', () => {
  it('never depends on the working directory: per-user by default, COMMS_DATA_DIR overrides, a file\'s dataDir is relative to it', () => {
    const elsewhere = tempDir();
    expect(loadConfig({ env: {}, cwd: elsewhere }).config.dataDir).toBe(defaultDataDir());
    expect(defaultDataDir()).not.toContain(elsewhere);
    expect(loadConfig({ env: { COMMS_DATA_DIR: 'mine' }, cwd: elsewhere }).config.dataDir).toBe(join(elsewhere, 'mine'));
    const file = configFile('dataDir: ./comms-data\n');
    expect(loadConfig({ file, env: {}, cwd: elsewhere }).config.dataDir).toBe(join(dirname(file), 'comms-data'));
    expect(loadConfig({ file, env: { COMMS_DATA_DIR: '/srv/comms' }, cwd: elsewhere }).config.dataDir).toBe('/srv/comms');
  });
});
