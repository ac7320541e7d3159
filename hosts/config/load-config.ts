import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import { config as loadDotenv } from 'dotenv';
import { DomainError } from '../../ports/errors.js';
import { adapterSection } from './adapter-section.js';
import { configSchemaValidator } from './config-schema.js';
import { OPTIONAL_SECTIONS, type AppConfig, type LoadedConfig, type OptionalSection } from './app-config.js';
import { configFiles, readLayer } from './config-layers.js';
import { defaultDataDir } from './data-dir.js';
import { mergeLayers, type MergedConfig } from './merge-layers.js';
import { packageRoot } from './package-root.js';
import { setupOverlayFile } from './setup-overlay.js';
import type { OAuthIssuerSettings, OAuthSettings } from './oauth-settings.js';

export interface LoadConfigOptions {
  /**
   * `--config FILE|FOLDER`, repeatable: overlays over the embedded defaults (config/default.yaml), applied in
   * order. Falls back to COMMS_CONFIG (several joined with the path delimiter); none: the defaults alone.
   */
  files?: readonly string[];
  /** One overlay file (shorthand for `files: [file]`). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const ADAPTER_SECTIONS: readonly string[] = ['db', ...OPTIONAL_SECTIONS];

/** The embedded defaults every config file overlays. */
export function defaultConfigFile(): string {
  return join(packageRoot(), 'config', 'default.yaml');
}

/**
 * Reads the embedded defaults and the overlays, interpolates environment variables, merges them in order
 * and validates the result; throws CONFIG_INVALID listing every problem.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  if (!options.env && existsSync(join(cwd, '.env'))) loadDotenv({ path: join(cwd, '.env'), quiet: true });
  const overlays = configFiles(options.files ?? (options.file ? [options.file] : []), env, cwd);
  const files = [defaultConfigFile(), ...overlays];
  const isAdapterSection = (key: string): boolean => ADAPTER_SECTIONS.includes(key);
  const layers = files.map((file) => readLayer(file, env));
  let merged = mergeLayers(layers, isAdapterSection);
  // What `agentos-comms setup` chose, in the data folder the other layers name: over the defaults, under the given files.
  const setupFile = setupOverlayFile(dataDirOf(merged.value, merged, env, cwd));
  const setupOverlay = existsSync(setupFile) ? setupFile : null;
  if (setupOverlay) {
    files.splice(1, 0, setupOverlay);
    merged = mergeLayers([layers[0]!, readLayer(setupOverlay, env), ...layers.slice(1)], isAdapterSection);
  }
  const validate = configSchemaValidator();
  const value = merged.value;
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((e) => describeError(e, merged.missing));
    const from = overlays.length > 0 ? ` (${overlays.join(', ')} over the defaults)` : '';
    throw new DomainError('CONFIG_INVALID', `invalid configuration${from}:\n  - ${[...new Set(problems)].join('\n  - ')}`, 'Fix the listed keys.');
  }
  const config = normalise(value, merged, env, cwd);
  if (env.COMMS_DATA_DIR) merged.origins.set('dataDir', { source: 'environment', variable: 'COMMS_DATA_DIR' });
  else if (value.dataDir === undefined) merged.origins.set('dataDir', { source: 'per-user data folder' });
  const values = { ...value, dataDir: config.dataDir };
  return { config, values, files, setupOverlay, origins: merged.origins, missingEnv: merged.missing, warnings: warningsFor(config, merged.missing) };
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

/**
 * The data folder: COMMS_DATA_DIR (relative to the working directory, as typed in a shell), else the
 * config's `dataDir` (relative to the file that set it), else the per-user data folder.
 */
function dataDirOf(c: Record<string, unknown>, merged: MergedConfig, env: NodeJS.ProcessEnv, cwd: string): string {
  if (env.COMMS_DATA_DIR) return resolve(cwd, env.COMMS_DATA_DIR);
  const configured = c.dataDir as string | undefined;
  if (configured === undefined) return defaultDataDir();
  if (isAbsolute(configured)) return configured;
  const origin = merged.origins.get('dataDir');
  return resolve(origin?.variable ? cwd : (merged.sectionDirs.get('dataDir') ?? cwd), configured);
}

function normalise(c: Record<string, unknown>, merged: MergedConfig, env: NodeJS.ProcessEnv, cwd: string): AppConfig {
  const adapter = (section: string) => adapterSection(section, c[section] as Parameters<typeof adapterSection>[1], merged.sectionDirs.get(section) ?? cwd);
  const server = c.server as AppConfig['server'];
  const auth = (c.auth ?? {}) as { adminToken?: string; oauth?: RawOAuth };
  const callbacks = (c.callbacks ?? {}) as { defaultUrl?: string; pollIntervalMs?: number; maxAttempts?: number };
  const db = adapter('db');
  if (!db) throw new DomainError('CONFIG_INVALID', 'db cannot be disabled', 'Remove "enabled: false" from db.');
  return {
    server,
    publicBaseUrl: (c.publicBaseUrl as string | undefined)?.replace(/\/+$/, '') ?? null,
    dataDir: dataDirOf(c, merged, env, cwd),
    log: { level: 'info', format: 'auto', ...(c.log as Partial<AppConfig['log']> | undefined) },
    auth: { adminToken: auth.adminToken ?? null, oauth: oauthSettings(auth.oauth) },
    metrics: { token: (c.metrics as { token?: string } | undefined)?.token ?? null },
    callbacks: { defaultUrl: callbacks.defaultUrl ?? null, pollIntervalMs: callbacks.pollIntervalMs ?? 1000, maxAttempts: callbacks.maxAttempts ?? 12 },
    // Schema defaults fill every key but the schema, which is derived from the database's.
    jobs: c.jobs as AppConfig['jobs'],
    // Schema defaults fill both keys even when the section is absent.
    recovery: c.recovery as AppConfig['recovery'],
    // Schema defaults fill every key, the pool's too.
    provisioning: c.provisioning as AppConfig['provisioning'],
    db,
    telephony: adapter('telephony'),
    email: adapter('email'),
    whatsapp: adapter('whatsapp'),
    tts: adapter('tts'),
    storage: adapter('storage'),
    brain: adapter('brain'),
    stt: adapter('stt'),
    // Schema defaults fill greeting, instructions, apology and interruptible even when the section is absent.
    voice: (c.voice ?? {}) as AppConfig['voice'],
    usage: usageSettings(c.usage as AppConfig['usage']),
    // Schema defaults fill every key but the optional postal address.
    compliance: complianceSettings(c.compliance as AppConfig['compliance']),
    // Schema defaults fill every key; the store URLs are checked where the store is built.
    security: c.security as AppConfig['security'],
    alerts: c.alerts as AppConfig['alerts'],
    confirm: c.confirm as AppConfig['confirm'],
    // Schema defaults fill the key even when the section is absent.
    scenarios: c.scenarios as AppConfig['scenarios'],
  };
}

type RawOAuth = Omit<OAuthSettings, 'issuers'> & {
  issuers: Array<Omit<OAuthIssuerSettings, 'jwksUri' | 'audience' | 'adminClaim' | 'adminValue'> & { jwksUri?: string; audience?: string | string[]; adminClaim?: string; adminValue?: string }>;
};

/** Schema defaults fill every key but the optional ones (null when unset); an issuer listed twice is a mistake. */
function oauthSettings(raw: RawOAuth | undefined): OAuthSettings {
  const oauth = raw ?? { issuers: [], requiredScopes: [], clockToleranceSeconds: 30 };
  const issuers = oauth.issuers.map((issuer) => ({
    ...issuer,
    jwksUri: issuer.jwksUri ?? null,
    audience: issuer.audience === undefined ? null : [issuer.audience].flat(),
    adminClaim: issuer.adminClaim ?? null,
    adminValue: issuer.adminValue ?? null,
  }));
  const seen = new Set<string>();
  for (const { issuer } of issuers) {
    if (seen.has(issuer)) throw new DomainError('CONFIG_INVALID', `auth.oauth.issuers lists ${issuer} twice.`, 'Keep one entry per issuer.');
    seen.add(issuer);
  }
  return { ...oauth, issuers };
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
  if (config.auth.oauth.issuers.length > 0 && config.publicBaseUrl === null && config.auth.oauth.issuers.some((issuer) => issuer.audience === null)) {
    warnings.push('auth.oauth is on but publicBaseUrl is not set: access tokens must name the listen address + /mcp as audience, which clients behind a proxy or tunnel never ask for. Set PUBLIC_BASE_URL.');
  }
  if (!config.telephony) warnings.push('telephony is not configured: the sms channel is off.');
  // Demo adapters beside a real provider deliver nothing: say so, since overlays inherit them from the defaults.
  const real = OPTIONAL_SECTIONS.filter((s) => config[s] && !['mock', 'local'].includes(config[s]!.use));
  if (real.length > 0) {
    for (const section of OPTIONAL_SECTIONS) {
      if (config[section]?.use === 'mock') warnings.push(`${section} uses the demo adapter (mock): nothing is delivered. Configure a provider, or set ${section}.enabled: false.`);
    }
  }
  for (const [path, variable] of missing) {
    // Missing values of configured adapters are the plugin loader's to report (and refuse); of disabled ones, a note.
    const section = path.split('.')[0] as OptionalSection | 'db';
    if (section !== 'db' && !(OPTIONAL_SECTIONS as readonly string[]).includes(section)) warnings.push(`${path} is empty: ${variable} is not set.`);
    else if (section !== 'db' && config[section] === null) warnings.push(`${path} is empty (${variable} is not set), but ${section} is disabled.`);
  }
  return warnings;
}
