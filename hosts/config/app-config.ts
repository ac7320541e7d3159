import type { ProvisioningSettings } from '../../core/provisioning/provisioning-settings.js';
import type { VoiceDefaults } from '../../core/context.js';
import type { Toolset } from '../../core/use-case.js';
import type { UsageSettings } from '../../core/usage/usage-settings.js';
import type { ComplianceSettings } from '../../core/compliance/compliance-settings.js';
import type { ContentRule } from '../../adapters/content-filter/obscenity-content-filter.js';
import type { ValueOrigin } from './merge-layers.js';
import type { SecuritySettings } from './security-settings.js';
import type { OAuthSettings } from './oauth-settings.js';
import type { AlertSettings } from '../../core/alerts/alert-settings.js';
import type { ConfiguredConfirmations } from '../shared/confirmation.js';

/** The validated configuration (see config/schema.json). */
export interface AdapterConfig {
  /** The adapter's name; for a failover list, the members' names joined by commas. */
  use: string;
  enabled: boolean;
  options: Record<string, unknown>;
  /** Where `options` sit in the config file (`telephony.options`, `telephony.providers.vonage`), for messages. */
  optionsPath?: string;
  /** A stored credential set (comms_register_provider) whose options the adapter is built with, under `options`. */
  credentialsRef?: string;
  /** A failover list (`use: [twilio, vonage]`): its members in order. */
  members?: AdapterConfig[];
  /** Folder of the config file that set this section last: a relative `use:` path and file options resolve there. */
  dir: string;
}

/** MCP settings (config `server.mcp`): Streamable HTTP limits, and the toolsets each token is offered. */
export interface McpHttpSettings {
  /** Browser origins allowed besides the server's own; absent Origin (non-browser clients) always passes. */
  allowedOrigins: string[];
  maxSessionsPerPrincipal: number;
  responseTimeoutMs: number;
  /** How often a held MCP session touches its stored record and finds it still there (0: every request). */
  sessionRecheckMs: number;
  /** The longest comms_wait_for_message blocks, in seconds. */
  waitMaxSeconds: number;
  /** Offered to agent tokens (`all`: every toolset). */
  toolsets: Array<Toolset | 'all'>;
  /** Offered to the admin token. */
  adminToolsets: Array<Toolset | 'all'>;
}

export interface JobSettings {
  schema?: string;
  retryLimit: number;
  retryDelaySeconds: number;
  expireInSeconds: number;
  pollingIntervalSeconds: number;
  maintenanceIntervalSeconds: number;
}

export interface AppConfig {
  server: { host: string; port: number; bodyLimitBytes: number; mcp: McpHttpSettings };
  /** null: derived from the address the server actually listens on. */
  publicBaseUrl: string | null;
  /** Absolute. COMMS_DATA_DIR, else `dataDir` of the config, else the per-user data folder: never the working directory. */
  dataDir: string;
  log: { level: string; format: 'auto' | 'json' | 'pretty' };
  /** Static admin token, and OAuth access tokens from configured issuers (off while none is listed). */
  auth: { adminToken: string | null; oauth: OAuthSettings };
  /** `token` null: GET /metrics is off and nothing is measured. */
  metrics: { token: string | null };
  callbacks: { defaultUrl: string | null; pollIntervalMs: number; maxAttempts: number };
  /** Background work's queue (see ports/jobs.ts); `schema` undefined: derived from the database's schema. */
  jobs: JobSettings;
  /** Settling sends cut short by a crash (see core/recovery). */
  recovery: { stuckAfterSeconds: number; intervalSeconds: number };
  /** Provisioning runs and the spare-number pool (see core/provisioning). */
  provisioning: ProvisioningSettings;
  db: AdapterConfig;
  /** Optional sections: null when absent or `enabled: false` (that channel is off). */
  telephony: AdapterConfig | null;
  email: AdapterConfig | null;
  whatsapp: AdapterConfig | null;
  tts: AdapterConfig | null;
  storage: AdapterConfig | null;
  brain: AdapterConfig | null;
  stt: AdapterConfig | null;
  voice: VoiceDefaults;
  usage: UsageSettings;
  /** Core's compliance settings, and the content filter's rules and word list. */
  compliance: ComplianceSettings & { content: { rules: ContentRule[]; words: string[] } };
  /** Defences of the HTTP listener (rate limits, lockout, timeouts, shedding, IP filters, CORS). */
  security: SecuritySettings;
  /** Alert routing, triggers and anomaly detection. */
  alerts: AlertSettings;
  /** Which tools need a person's approval, per tool name (see hosts/shared/confirmation.ts). */
  confirm: { tools: ConfiguredConfirmations };
  /** Demo scenarios; off real providers unless allowed (they send real messages). */
  scenarios: { allowRealProviders: boolean };
}

export interface LoadedConfig {
  config: AppConfig;
  /** Absolute paths of the files read, in order: the embedded defaults first, then each overlay. */
  files: string[];
  /** The setup overlay among `files` (setup.yaml of the data folder, written by `agentos-comms setup`), or null. */
  setupOverlay: string | null;
  /** The merged settings as validated (schema defaults filled in, dataDir resolved): what `config show` prints. */
  values: Record<string, unknown>;
  /** Where each value set by a file came from (dotted path → file and variable); the rest are schema defaults. */
  origins: Map<string, ValueOrigin>;
  /** Config paths whose environment variable was unset, with the variable's name. */
  missingEnv: Map<string, string>;
  /** Problems that do not stop the server. */
  warnings: string[];
}

/** Sections whose `use` may be a failover list. */
export const FAILOVER_SECTIONS = ['telephony', 'email', 'whatsapp'] as const;

/** Optional adapter sections, each loaded through the plugin loader for the port of the same name. */
export const OPTIONAL_SECTIONS = ['telephony', 'email', 'whatsapp', 'tts', 'storage', 'brain', 'stt'] as const;
export type OptionalSection = (typeof OPTIONAL_SECTIONS)[number];
