import type { CallControl } from '../ports/call-control.js';
import type { Alerts } from '../ports/alerts.js';
import type { AlertTriggers } from './alerts/alert-triggers.js';
import type { AnomalyDetector } from './alerts/anomaly-detector.js';
import type { CallbackSender } from '../ports/callbacks.js';
import type { PhoneNumbers } from '../ports/phone-numbers.js';
import type { AgentWithChannels, Database } from '../ports/repositories.js';
import type { Clock, IdGenerator, Logger, Secrets } from '../ports/runtime.js';
import { DomainError } from '../ports/errors.js';
import type { LiveCallRegistry } from './conversation/live-call-registry.js';
import type { BrainPort } from '../ports/brain.js';
import type { SttPort } from '../ports/stt.js';
import type { VoiceTransport } from '../ports/records.js';
import type { EmailPort } from '../ports/email.js';
import type { StoragePort } from '../ports/storage.js';
import type { TelephonyPort } from '../ports/telephony.js';
import type { TtsPort } from '../ports/tts.js';
import type { WhatsAppPort } from '../ports/whatsapp.js';
import type { PolicyRecorder } from '../ports/usage.js';
import type { UsageSettings } from './usage/usage-settings.js';
import type { ComplianceSettings } from './compliance/compliance-settings.js';
import type { ProvisioningSettings } from './provisioning/provisioning-settings.js';
import type { ContentFilter } from '../ports/content-filter.js';
import type { PhoneLocations } from '../ports/phone-locations.js';
import type { Metrics } from '../ports/metrics.js';
import type { JobQueue } from '../ports/jobs.js';
import type { AuthFailureWindows } from './auth/auth-failure-windows.js';
import type { AgentEvents } from '../ports/agent-events.js';
import type { AgentChangeFeed } from '../ports/agent-changes.js';
import type { CredentialCipher, ProviderVerifier } from '../ports/provider-credentials.js';
import type { SelfProbe, SetupProviderCatalog, SetupStore } from '../ports/setup.js';
import type { ProviderAccountsPort } from '../ports/customers.js';
import type { ScenarioRunner } from '../ports/scenarios.js';

/**
 * Who is calling: an agent acting as itself, a customer's admin acting for that customer's agents only
 * (see core/auth/tenancy.ts), or the operator acting for any agent.
 */
export type Caller =
  /** `record`: the agent and its addresses as read when its token was checked, for this request only. */
  | { kind: 'agent'; agentId: string; record?: AgentWithChannels }
  | { kind: 'customer'; customerId: string }
  | { kind: 'admin' }
  | { kind: 'anonymous' };

/** Server-wide defaults for live voice conversations; agents override them with their own settings. */
export interface VoiceDefaults {
  greeting: string;
  instructions: string;
  /** Spoken when the brain fails mid-call, so the line never goes dead. */
  apology: string;
  voice?: string;
  language?: string;
  interruptible: boolean;
  /** How live calls carry speech unless the agent says otherwise. */
  transport: VoiceTransport;
  /**
   * Said to the other party before a recorded call starts (the consent announcement), when set. Off by
   * default: whether one is required, and its wording, is the compliance rules' decision.
   */
  recordingAnnouncement?: string;
  /** Detect answering machines on outbound calls unless the agent or the call says otherwise. */
  machineDetection: boolean;
  /** What a live call that reaches a machine does unless the agent says otherwise. */
  onMachine: 'voicemail' | 'hangup';
}

/** Server settings core needs (not secrets, not adapter options). */
export interface CoreSettings {
  /** The address providers use to reach us, without trailing slash. */
  publicBaseUrl: string;
  /** Where inbound events go for agents without their own callback URL. */
  defaultCallbackUrl: string | null;
  /** After this many failed attempts a callback delivery is given up (`dead`); 12 is about a day after the first. */
  callbackMaxAttempts: number;
  /** Server-wide admin token; null disables admin access. */
  adminToken: string | null;
  voice: VoiceDefaults;
  /** Usage, prices, tiers and limits (`usage:` in config). */
  usage: UsageSettings;
  /** Opt-outs, quiet hours, consent, email footers, content screening (`compliance:` in config). */
  compliance: ComplianceSettings;
  /** The longest comms_wait_for_message may block, in seconds: below the tool timeouts of common clients. */
  waitMaxSeconds: number;
  /** Numbers, the spare pool and provisioning runs (`provisioning:` in config). */
  provisioning: ProvisioningSettings;
  /** Demo scenarios (`scenarios:` in config): on real providers only when the operator allows it. */
  scenarios: { allowRealProviders: boolean };
}

/** An adapter with the plugin id it was loaded as (recorded on messages as `provider`). */
export interface Provided<T> {
  id: string;
  port: T;
}

export interface CorePorts {
  clock: Clock;
  ids: IdGenerator;
  secrets: Secrets;
  logger: Logger;
  db: Database;
  /** Parses and normalises phone numbers (libphonenumber behind the port). */
  phoneNumbers: PhoneNumbers;
  /** Each adapter is null when its section is not configured (that channel or feature is off). */
  telephony: Provided<TelephonyPort> | null;
  email: Provided<EmailPort> | null;
  whatsapp: Provided<WhatsAppPort> | null;
  storage: Provided<StoragePort> | null;
  tts: Provided<TtsPort> | null;
  brain: Provided<BrainPort> | null;
  stt: Provided<SttPort> | null;
  /** Conversations whose voice socket is open on this server. */
  liveCalls: LiveCallRegistry;
  /** Reaches a live call held by another server on the same database (nothing to reach on SQLite). */
  callControl: CallControl;
  callbackSender: CallbackSender;
  /** Where the pre-send policy records its refusals besides the audit trail (log, metrics). */
  policyRecorder: PolicyRecorder;
  /** Operational counters (no-op when metrics are off). */
  metrics: Metrics;
  /** Bad-token counts per source, for auth-failure bursts. */
  authFailures: AuthFailureWindows;
  /** Time zones and country of phone numbers (quiet hours). */
  phoneLocations: PhoneLocations;
  /** Screens outbound text (content rule of the pre-send policy). */
  contentFilter: ContentFilter;
  settings: CoreSettings;
  /** Counts of the background work's runs (the queue itself is driven by the composition root). */
  jobs: Pick<JobQueue, 'status'>;
  /** Asks the callback dispatcher to run soon (after an inbound event was stored). */
  notifyCallbacksPending(): void;
  /** Asks the number pool's refill to run soon (after a spare was handed to an agent). */
  notifyPoolDrawn(): void;
  /** Tells sessions waiting on an agent that something arrived or ended (MCP subscriptions, waits). */
  agentEvents: AgentEvents;
  /** Changes to agents made by other processes on the database, for the agent caches (core/agents/agent-cache.ts). */
  agentChanges: AgentChangeFeed;
  /** Alerts to the operator, routed by severity to the configured sinks. */
  alerts: Alerts;
  /** Operational alert triggers (provider failures, webhook signature bursts, outbox backlog). */
  alertTriggers: AlertTriggers;
  /** Per-agent anomaly findings (alerts, and suspension when configured). */
  anomalies: AnomalyDetector;
  /** Encrypts stored provider credentials (keys from the environment; errors name a missing key when used). */
  credentialCipher: CredentialCipher;
  /** Checks provider credentials with the provider before they are stored. */
  providerVerifier: ProviderVerifier;
  /** First-run setup: the overlay it writes, the check that the public URL leads back here, the providers it offers. */
  setup: { store: SetupStore; probe: SelfProbe; catalog: SetupProviderCatalog };
  /** Creates and closes provider subaccounts (customer isolation); null when the telephony provider has none. */
  providerAccounts: ProviderAccountsPort | null;
  /**
   * The telephony adapter acting with a stored credential set (a customer's or an agent's subaccount),
   * built on first use and kept; CONFIG_INVALID when the set is missing or not for the telephony provider.
   */
  telephonyWith(credentialsRef: string): Promise<Provided<TelephonyPort>>;
  /** The end-to-end demo scenarios (run by the hosts, which play the contact's side); null when none are offered. */
  scenarios: ScenarioRunner | null;
}

export interface UseCaseContext {
  caller: Caller;
  ports: CorePorts;
  requestId: string;
  /** Aborted when the client gave up (cancelled the request, hung up): long waits stop at once. */
  signal?: AbortSignal;
}

type OptionalPort = 'telephony' | 'email' | 'whatsapp' | 'storage' | 'tts' | 'brain' | 'stt';

/** The adapter behind an optional section, or CHANNEL_NOT_CONFIGURED naming the config section. */
export function requirePort<K extends OptionalPort>(ports: CorePorts, key: K): NonNullable<CorePorts[K]> {
  const port = ports[key];
  if (!port) {
    throw new DomainError(
      'CHANNEL_NOT_CONFIGURED',
      `No ${key} provider is configured on this server.`,
      `Ask the operator to configure the "${key}" section of the server config.`,
      { port: key },
    );
  }
  return port as NonNullable<CorePorts[K]>;
}

export function requireTelephony(ports: CorePorts): Provided<TelephonyPort> {
  return requirePort(ports, 'telephony');
}
