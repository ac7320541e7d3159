import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { config as loadDotenv } from 'dotenv';
import { DomainError } from '../../ports/errors.js';
import { adapterSection } from './adapter-section.js';
import { OPTIONAL_SECTIONS, type AppConfig, type LoadedConfig, type OptionalSection } from './app-config.js';
import { interpolateEnv } from './interpolate.js';
import { packageRoot } from './package-root.js';

export interface LoadConfigOptions {
  /** `--config FILE`; falls back to COMMS_CONFIG, then config/default.yaml of the package. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Reads, interpolates and validates the configuration; throws CONFIG_INVALID listing every problem. */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  if (!options.env && existsSync(join(cwd, '.env'))) loadDotenv({ path: join(cwd, '.env'), quiet: true });
  const file = resolve(cwd, options.file ?? env.COMMS_CONFIG ?? join(packageRoot(), 'config', 'default.yaml'));
  if (!existsSync(file)) {
    throw new DomainError('CONFIG_INVALID', `config file not found: ${file}`, 'Pass an existing file with --config or COMMS_CONFIG.');
  }
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DomainError('CONFIG_INVALID', `config file ${file} is not valid YAML: ${(err as Error).message}`, 'Fix the YAML syntax.');
  }
  const { value, missing } = interpolateEnv(raw ?? {}, env);
  const ajv = new Ajv2020({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false });
  const schema = JSON.parse(readFileSync(join(packageRoot(), 'config', 'schema.json'), 'utf8')) as object;
  const validate = ajv.compile(schema);
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((e) => describeError(e, missing));
    throw new DomainError('CONFIG_INVALID', `invalid configuration in ${file}:\n  - ${[...new Set(problems)].join('\n  - ')}`, 'Fix the listed keys.');
  }
  const config = normalise(value as Record<string, unknown>, cwd);
  return { config, file, dir: dirname(file), missingEnv: missing, warnings: warningsFor(config, missing) };
}

/** One line per problem, naming the key and, when it came from an unset variable, that variable. */
export function describeError(error: ErrorObject, missing: Map<string, string>, prefix = ''): string {
  const base = [prefix, ...error.instancePath.split('/').filter(Boolean)].filter(Boolean).join('.');
  if (error.keyword === 'required') {
    const key = [base, (error.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.');
    const variable = missing.get(key);
    return variable ? `${key} is missing: set the ${variable} environment variable` : `${key} is required`;
  }
  if (error.keyword === 'additionalProperties') {
    return `${base || '(top level)'}: unknown key "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  }
  return `${base || '(top level)'} ${error.message ?? 'is invalid'}`;
}

function normalise(c: Record<string, unknown>, cwd: string): AppConfig {
  const server = c.server as { host: string; port: number; bodyLimitBytes: number };
  const auth = (c.auth ?? {}) as { adminToken?: string };
  const callbacks = (c.callbacks ?? {}) as { defaultUrl?: string; pollIntervalMs?: number };
  const db = adapterSection('db', c.db as Record<string, unknown>);
  if (!db) throw new DomainError('CONFIG_INVALID', 'db cannot be disabled', 'Remove "enabled: false" from db.');
  return {
    server,
    publicBaseUrl: (c.publicBaseUrl as string | undefined)?.replace(/\/+$/, '') ?? null,
    dataDir: resolve(cwd, (c.dataDir as string | undefined) ?? './data'),
    log: { level: (c.log as { level?: string } | undefined)?.level ?? 'info' },
    auth: { adminToken: auth.adminToken ?? null },
    callbacks: { defaultUrl: callbacks.defaultUrl ?? null, pollIntervalMs: callbacks.pollIntervalMs ?? 1000 },
    db,
    telephony: adapterSection('telephony', c.telephony as Record<string, unknown> | undefined),
    email: adapterSection('email', c.email as Record<string, unknown> | undefined),
    whatsapp: adapterSection('whatsapp', c.whatsapp as Record<string, unknown> | undefined),
    tts: adapterSection('tts', c.tts as Record<string, unknown> | undefined),
    storage: adapterSection('storage', c.storage as Record<string, unknown> | undefined),
    brain: adapterSection('brain', c.brain as Record<string, unknown> | undefined),
    stt: adapterSection('stt', c.stt as Record<string, unknown> | undefined),
    // Schema defaults fill greeting, instructions, apology and interruptible even when the section is absent.
    voice: (c.voice ?? {}) as AppConfig['voice'],
    usage: usageSettings(c.usage as AppConfig['usage']),
    // Schema defaults fill every key but the optional postal address.
    compliance: complianceSettings(c.compliance as AppConfig['compliance']),
  };
}

/** Schema defaults fill every key; what the schema cannot say is that the default tier must exist. */
function usageSettings(usage: AppConfig['usage']): AppConfig['usage'] {
  if (!usage.tiers[usage.defaultTier]) {
    throw new DomainError('CONFIG_INVALID', `usage.defaultTier "${usage.defaultTier}" is not one of usage.tiers (${Object.keys(usage.tiers).join(', ')}).`, 'Name a defined tier, or define it.');
  }
  return usage;
}

function complianceSettings(compliance: AppConfig['compliance']): AppConfig['compliance'] {
  return { ...compliance, email: { physicalAddress: compliance.email.physicalAddress ?? null } };
}

function warningsFor(config: AppConfig, missing: Map<string, string>): string[] {
  const warnings: string[] = [];
  if (!config.auth.adminToken) warnings.push('auth.adminToken is not set (COMMS_ADMIN_TOKEN): admin tools and routes are disabled.');
  if (!config.telephony) warnings.push('telephony is not configured: the sms channel is off.');
  for (const [path, variable] of missing) {
    // Missing values of configured adapters are the plugin loader's to report (and refuse); of disabled ones, a note.
    const section = path.split('.')[0] as OptionalSection | 'db';
    if (section !== 'db' && !(OPTIONAL_SECTIONS as readonly string[]).includes(section)) warnings.push(`${path} is empty: ${variable} is not set.`);
    else if (section !== 'db' && config[section] === null) warnings.push(`${path} is empty (${variable} is not set), but ${section} is disabled.`);
  }
  return warnings;
}
