import type { CallStatusUpdate } from './calls.js';
import type { MessageStatus } from './records.js';
import type { Database } from './repositories.js';
import type { JsonSchema } from './json-schema.js';
import type { Clock, IdGenerator, Logger } from './runtime.js';
import type { BrainPort } from './brain.js';
import type { SttPort } from './stt.js';
import type { EmailPort, InboundEmail } from './email.js';
import type { StoragePort } from './storage.js';
import type { TelephonyPort } from './telephony.js';
import type { TtsPort } from './tts.js';
import type { WhatsAppPort } from './whatsapp.js';

/** The plugin API version this server speaks. A plugin declaring another version is refused. */
export const PLUGIN_API_VERSION = 1;

/** What each port's plugin builds. New ports are added here. */
export interface PortTypes {
  db: Database;
  telephony: TelephonyPort;
  email: EmailPort;
  whatsapp: WhatsAppPort;
  tts: TtsPort;
  storage: StoragePort;
  brain: BrainPort;
  stt: SttPort;
}

export type PortName = keyof PortTypes;

/**
 * Optional on any adapter: its own readiness check, free of provider cost (no billable or rate-limited
 * call: a folder is writable, a listener is bound). Throws when the adapter cannot serve; /health/ready
 * reports the message.
 */
export interface ReadinessProbe {
  readiness?(): Promise<void>;
}
export const PORT_NAMES: readonly PortName[] = ['db', 'telephony', 'email', 'whatsapp', 'tts', 'storage', 'brain', 'stt'];

/** Provider-initiated events for adapters that push rather than call webhooks (demo mode, sockets). */
export interface ProviderEventSink {
  /**
   * Delivery progress of a message of any channel; `reference` is the `reference` (our message id) of
   * the send request it is about.
   */
  messageStatus(update: { reference: string; providerMessageId: string; status: MessageStatus; errorCode: string | null }): void;
  /** Call progress pushed by an adapter (demo mode); `reference` is our call id. */
  callStatus(update: { reference: string } & CallStatusUpdate): void;
  /**
   * Mail that arrived without a webhook (SMTP listener, demo mode), addressed to `email.to`. Resolves
   * once it is stored: an adapter that can still refuse the mail (SMTP answers 451) awaits it.
   */
  emailReceived(email: InboundEmail): void | Promise<void>;
}

export interface PluginContext {
  logger: Logger;
  clock: Clock;
  ids: IdGenerator;
  /**
   * The address providers use to reach this server (no trailing slash). Read it when building a URL
   * rather than once at creation: it is settled only when the server listens (a port of 0 picks one).
   */
  readonly publicBaseUrl: string;
  /** Folder of the configuration file: relative paths in options resolve against it. */
  configDir: string;
  /** Folder for the server's own files (SQLite database, local storage …). */
  dataDir: string;
  events: ProviderEventSink;
}

export interface PluginDefinition<P extends PortName = PortName, O = Record<string, unknown>> {
  apiVersion: number;
  port: P;
  /** Short, stable name (`twilio`, `mock` …). */
  id: string;
  /** JSON Schema of the options, validated before `create` is called. */
  optionsSchema: JsonSchema;
  /** Option keys holding credentials: never logged, and reported by env var when missing. */
  secrets?: readonly string[];
  create(options: O, ctx: PluginContext): Promise<PortTypes[P]>;
}

/** Identity helper that gives plugin authors type checking of their definition. */
export function definePlugin<P extends PortName, O>(definition: PluginDefinition<P, O>): PluginDefinition<P, O> {
  return definition;
}
