import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { Container } from 'inversify';
import { LiveCallRegistry } from '../../core/conversation/live-call-registry.js';
import { speechPipelineProblem } from '../../core/conversation/speech-pipeline.js';
import { applyPushedCallStatus } from '../../core/calls/call-webhooks.js';
import { receivePushedEmail } from '../../core/messages/inbound/email-webhooks.js';
import { applyPushedStatus } from '../../core/messages/inbound/store-inbound.js';
import type { CorePorts, CoreSettings, Provided } from '../../core/context.js';
import { inDemoMode } from '../../core/demo/demo-inbound.js';
import { DEMO_USE_CASES, USE_CASES } from '../../core/use-cases.js';
import { StandardWebhooksSender } from '../../adapters/http/standard-webhooks-sender.js';
import { NodeSecrets } from '../../adapters/node/node-secrets.js';
import { LibphonenumberPhoneNumbers } from '../../adapters/phone-numbers/libphonenumber-phone-numbers.js';
import { LibphonenumberParser } from '../../adapters/phone-numbers/libphonenumber-parser.js';
import { createLogger } from '../../adapters/node/pino-logger.js';
import { SystemClock } from '../../adapters/node/system-clock.js';
import { TimeSortableIds } from '../../adapters/node/time-sortable-ids.js';
import { loadPlugin } from '../../plugins/plugin-loader.js';
import type { CallbackSender } from '../../ports/callbacks.js';
import { DomainError, isDomainError } from '../../ports/errors.js';
import type { PluginContext, PortName, PortTypes, ProviderEventSink } from '../../ports/plugin.js';
import type { PhoneNumbers } from '../../ports/phone-numbers.js';
import type { McpSubscriptionChanges } from '../../ports/mcp-sessions.js';
import type { Database } from '../../ports/repositories.js';
import type { Clock, IdGenerator, Logger, Secrets } from '../../ports/runtime.js';
import { TOKENS } from '../../ports/tokens.js';
import { OPTIONAL_SECTIONS, type AdapterConfig, type LoadedConfig, type OptionalSection } from '../config/app-config.js';
import { UseCaseRunner } from '../shared/use-case-runner.js';
import { backgroundJobs, JOBS, openJobQueue, type JobName } from './background-jobs.js';
import type { JobQueue } from '../../ports/jobs.js';
import { LogPolicyRecorder } from '../../adapters/node/log-policy-recorder.js';
import type { TelephonyPort } from '../../ports/telephony.js';
import type { PolicyRecorder } from '../../ports/usage.js';
import { failoverAdapter } from './failover-adapter.js';
import { ObscenityContentFilter } from '../../adapters/content-filter/obscenity-content-filter.js';
import { LibphonenumberPhoneLocations } from '../../adapters/phone-locations/libphonenumber-phone-locations.js';
import type { ContentFilter } from '../../ports/content-filter.js';
import type { PhoneLocations } from '../../ports/phone-locations.js';
import { logFormat } from './log-format.js';
import { securityEventSink } from './security-events.js';
import { recordLockout } from '../../core/auth/auth-failures.js';
import { readinessOf, type Readiness } from './readiness.js';
import { AlertManager } from '../../core/alerts/alert-manager.js';
import { AlertTriggers } from '../../core/alerts/alert-triggers.js';
import { AnomalyDetector } from '../../core/alerts/anomaly-detector.js';
import type { AlertSink } from '../../ports/alerts.js';
import { logSink, operatorSinks, webhookSink } from './alert-sinks.js';
import type { SecurityEventSink } from '../../ports/security-events.js';
import { meteredAdapter } from './metered-adapter.js';
import type { PrometheusMetrics } from '../../adapters/prometheus/prometheus-metrics.js';
import { NO_METRICS, type Metrics } from '../../ports/metrics.js';
import { AuthFailureWindows } from '../../core/auth/auth-failure-windows.js';
import { refusalKind } from '../../core/policy/record-refusal.js';
import { openCrossProcess } from './cross-process.js';
import { actOnLiveCall } from '../../core/conversation/control-call.js';
import { AesGcmCredentialCipher } from '../../adapters/node/aes-gcm-credential-cipher.js';
import { pluginProviderVerifier } from './provider-verifier.js';
import { FetchSelfProbe } from '../../adapters/http/fetch-self-probe.js';
import { builtInProviderCatalog } from './setup-provider-catalog.js';
import { SetupOverlayStore, setupOverlayFile } from '../config/setup-overlay.js';
import { withStoredCredentials, withStoredSetOnly } from './stored-credentials.js';
import { DemoContact } from '../scenarios/demo-contact.js';
import type { ScenarioContact } from '../scenarios/scenario-contact.js';
import { HostScenarioRunner } from '../scenarios/scenario-runner.js';

const OPTIONAL_TOKENS: Readonly<Record<OptionalSection, symbol>> = {
  telephony: TOKENS.Telephony,
  email: TOKENS.Email,
  whatsapp: TOKENS.WhatsApp,
  tts: TOKENS.Tts,
  storage: TOKENS.Storage,
  brain: TOKENS.Brain,
  stt: TOKENS.Stt,
};

export interface App {
  loaded: LoadedConfig;
  container: Container;
  ports: CorePorts;
  runner: UseCaseRunner;
  logger: Logger;
  /**
   * Background work (callback outbox, recovery and usage sweeps): pg-boss on PostgreSQL, in-process on SQLite.
   * `startServer` starts it; a process that only runs operator commands leaves it stopped.
   */
  jobs: JobQueue;
  /** Runs one background job here and now, outside the queue (tests). */
  runJob(name: JobName): Promise<void>;
  /** Routes alerts to their sinks; `settled()` waits for deliveries in progress. */
  alerts: AlertManager;
  /** Security events of the hosts (brute-force lockouts): logged, alerted, audited. */
  securityEvents: SecurityEventSink;
  /** A database round trip and each adapter's own readiness probe; `failed` names the checks that failed. */
  readiness(): Promise<Readiness>;
  /** The Prometheus registry behind GET /metrics; null when metrics are off (no metrics.token). */
  prometheus: PrometheusMetrics | null;
  /** MCP subscription changes between the servers of one database (nothing to tell on SQLite). */
  subscriptionChanges: McpSubscriptionChanges;
  close(): Promise<void>;
}

export interface BuildAppOptions {
  /** Apply pending migrations before serving (serve and migrate do; tests may). */
  migrate?: boolean;
  /** Log to stderr (2, default: stdout stays free for MCP stdio) or stdout (1). */
  logFd?: 1 | 2;
  /** Overrides log.level (the CLI's operator commands show only errors). */
  logLevel?: string;
  logger?: Logger;
  /** The time source (tests move a fake clock through limit windows). */
  clock?: Clock;
  /** Where COMMS_CREDENTIALS_KEY (and _PREVIOUS) are read; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Who plays the contact in demo scenarios (tests: the provider simulators); default the demo adapters. */
  scenarioContact?: (ports: CorePorts, runner: UseCaseRunner) => ScenarioContact;
}

/**
 * The composition root: builds every adapter named in the config through the plugin loader, binds the
 * ports into the container and hands core its ports. Adapter errors are collected so the operator sees
 * every problem at once, one line each.
 */
export async function buildApp(loaded: LoadedConfig, options: BuildAppOptions = {}): Promise<App> {
  const { config } = loaded;
  const logFd = options.logFd ?? 2;
  const logger = options.logger ?? createLogger(options.logLevel ?? config.log.level, logFd, logFormat(config.log.format, logFd));
  for (const warning of loaded.warnings) logger.warn({}, warning);
  mkdirSync(config.dataDir, { recursive: true });

  const clock = options.clock ?? new SystemClock();
  const credentialCipher = new AesGcmCredentialCipher(options.env ?? process.env);
  const ids = new TimeSortableIds();
  const settings: CoreSettings = {
    publicBaseUrl: config.publicBaseUrl ?? `http://${config.server.host}:${config.server.port}`,
    defaultCallbackUrl: config.callbacks.defaultUrl,
    callbackMaxAttempts: config.callbacks.maxAttempts,
    adminToken: config.auth.adminToken,
    voice: config.voice,
    usage: config.usage,
    compliance: config.compliance,
    // A wait must answer before the MCP answer deadline would cut it off with RESPONSE_TIMEOUT.
    provisioning: config.provisioning,
    waitMaxSeconds: Math.max(1, Math.min(config.server.mcp.waitMaxSeconds, config.server.mcp.responseTimeoutMs / 1000 - 1)),
    scenarios: config.scenarios,
  };
  // Adapters get the event sink before core's ports exist; events that come that early are dropped.
  const wired: { ports?: CorePorts } = {};
  // prom-client is loaded only when /metrics is on.
  const prometheus = config.metrics.token === null ? null : new (await import('../../adapters/prometheus/prometheus-metrics.js')).PrometheusMetrics({
    liveCalls: () => wired.ports?.liveCalls.size ?? 0,
    outbox: async () => {
      if (!wired.ports) return { pending: 0, oldestAgeSeconds: 0 };
      const { pending, oldestCreatedAt } = await wired.ports.db.callbacks.backlog();
      return { pending, oldestAgeSeconds: oldestCreatedAt ? Math.max(0, (clock.now().getTime() - oldestCreatedAt.getTime()) / 1000) : 0 };
    },
    jobs: async () => (wired.ports ? (await wired.ports.jobs.status()).jobs : []),
  });
  const metrics: Metrics = prometheus ?? NO_METRICS;
  const events: ProviderEventSink = {
    messageStatus: (update) => {
      if (!wired.ports) return;
      applyPushedStatus(wired.ports, update).catch((err: unknown) => logger.error({ err }, 'applying a pushed status failed'));
    },
    callStatus: (update) => {
      if (!wired.ports) return;
      applyPushedCallStatus(wired.ports, update).catch((err: unknown) => logger.error({ err }, 'applying a pushed call status failed'));
    },
    emailReceived: async (email) => {
      if (!wired.ports) throw new Error('not ready to receive mail yet');
      await receivePushedEmail(wired.ports, email);
    },
  };
  const pluginContext = (port: string, configDir: string): PluginContext => ({
    logger: logger.child({ port }),
    clock,
    ids,
    get publicBaseUrl() {
      return settings.publicBaseUrl;
    },
    configDir,
    dataDir: config.dataDir,
    events,
  });

  const migrate = async (database: Database): Promise<void> => {
    const applied = await database.migrate();
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  };
  const problems: string[] = [];
  const built: Array<{ close?(): Promise<void> }> = [];
  const load = async <P extends PortName>(port: P, spec: AdapterConfig): Promise<Provided<PortTypes[P]> | null> => {
    if (spec.members) {
      const members: Provided<PortTypes[P]>[] = [];
      for (const member of spec.members) {
        const loaded = await load(port, member);
        if (loaded) members.push(loaded);
      }
      if (members.length < spec.members.length) return null;
      return { id: spec.use, port: failoverAdapter(port, members, logger.child({ port, failover: spec.use })) };
    }
    try {
      const resolved = spec.credentialsRef && db ? await withStoredCredentials(port, spec, db.port, credentialCipher) : spec;
      const adapter = await loadPlugin(port, resolved, pluginContext(port, spec.dir), { missingEnv: loaded.missingEnv });
      built.push(adapter.port as { close?(): Promise<void> });
      // Provider calls are timed here, around each adapter (failover members one by one); the database is not a provider.
      if (!prometheus || port === 'db') return adapter;
      return { id: adapter.id, port: meteredAdapter(port, adapter.id, adapter.port as object, metrics) as PortTypes[P] };
    } catch (err) {
      problems.push(isDomainError(err) ? storedCredentialsProblem(port, spec, err) : `${port}: ${(err as Error).message}`);
      return null;
    }
  };
  const db = await load('db', config.db);
  // Stored credentials are read from the database before the adapters that use them are built.
  const usesStoredCredentials = OPTIONAL_SECTIONS.some((section) => config[section]?.credentialsRef);
  if (db && options.migrate && usesStoredCredentials) await migrate(db.port);
  const optional = {
    telephony: config.telephony && (await load('telephony', config.telephony)),
    email: config.email && (await load('email', config.email)),
    whatsapp: config.whatsapp && (await load('whatsapp', config.whatsapp)),
    tts: config.tts && (await load('tts', config.tts)),
    storage: config.storage && (await load('storage', config.storage)),
    brain: config.brain && (await load('brain', config.brain)),
    stt: config.stt && (await load('stt', config.stt)),
  };
  if (config.voice.transport === 'media-stream' && problems.length === 0) {
    const problem = speechPipelineProblem({ stt: optional.stt ?? null, tts: optional.tts ?? null });
    if (problem) problems.push(`voice.transport is media-stream: ${problem.message} ${problem.nextStep ?? ''}`.trim());
  }
  const telephonyCaps = optional.telephony?.port.capabilities;
  if (telephonyCaps?.conversations && telephonyCaps.mediaStream === 'vonage-websocket' && config.voice.transport !== 'media-stream') {
    // Not a refusal: voice messages and SMS work, and an agent may set media-stream for itself.
    logger.warn({ telephony: optional.telephony?.id }, 'live calls over Vonage need voice.transport: media-stream; agents left on conversationrelay cannot hold live calls');
  }
  const closeAll = (): Promise<unknown> => Promise.allSettled(built.map((b) => b.close?.()));
  // Telephony adapters acting with a stored set (customers' and agents' subaccounts), built on first use and kept.
  const byCredentials = new Map<string, Promise<Provided<TelephonyPort>>>();
  const telephonyWith = (ref: string): Promise<Provided<TelephonyPort>> => {
    let adapter = byCredentials.get(ref);
    if (!adapter) {
      adapter = (async () => {
        const spec = config.telephony;
        if (!spec || spec.members || !db) throw new DomainError('SUBACCOUNTS_UNAVAILABLE', 'Stored telephony credentials need one telephony provider (not a failover list).', 'Configure a single telephony provider.', { credentialsRef: ref });
        const loadedAdapter = await loadPlugin('telephony', await withStoredSetOnly('telephony', spec, ref, db.port, credentialCipher), pluginContext('telephony', spec.dir), { missingEnv: loaded.missingEnv });
        built.push(loadedAdapter.port as { close?(): Promise<void> });
        return loadedAdapter;
      })();
      // A failure is not kept: the set may be registered or fixed meanwhile.
      adapter.catch(() => byCredentials.delete(ref));
      byCredentials.set(ref, adapter);
    }
    return adapter;
  };
  if (problems.length > 0 || !db) {
    await closeAll();
    throw new DomainError('CONFIG_INVALID', `cannot start:\n  - ${problems.join('\n  - ')}`, 'Fix the listed settings.');
  }
  if (options.migrate && !usesStoredCredentials) await migrate(db.port);

  const container = new Container();
  container.bind(TOKENS.Logger).toConstantValue(logger);
  container.bind(TOKENS.Clock).toConstantValue(clock);
  container.bind(TOKENS.Ids).toConstantValue(ids);
  container.bind(TOKENS.Secrets).toConstantValue(new NodeSecrets());
  container.bind(TOKENS.Database).toConstantValue(db.port);
  container.bind(TOKENS.CallbackSender).toConstantValue(new StandardWebhooksSender());
  const logRecorder = new LogPolicyRecorder(logger);
  container.bind(TOKENS.PolicyRecorder).toConstantValue({
    refused(refusal) {
      logRecorder.refused(refusal);
      metrics.refusal(refusalKind(refusal.rule), refusal.rule, refusal.code);
    },
  } satisfies PolicyRecorder);
  // One parser for both: a send's recipient is checked, then located, from one parse.
  const phoneParser = new LibphonenumberParser();
  container.bind(TOKENS.PhoneLocations).toConstantValue(new LibphonenumberPhoneLocations(phoneParser));
  container.bind(TOKENS.ContentFilter).toConstantValue(new ObscenityContentFilter(config.compliance.content));
  container.bind(TOKENS.PhoneNumbers).toConstantValue(new LibphonenumberPhoneNumbers(phoneParser));
  for (const [section, adapter] of Object.entries(optional)) {
    if (adapter) container.bind(OPTIONAL_TOKENS[section as OptionalSection]).toConstantValue(adapter);
  }
  const optionalPort = <K extends OptionalSection>(section: K): CorePorts[K] =>
    (container.isBound(OPTIONAL_TOKENS[section]) ? container.get(OPTIONAL_TOKENS[section]) : null) as CorePorts[K];

  const alertSinks: AlertSink[] = [
    logSink(logger),
    ...operatorSinks(config.alerts.operator, (input) => runner.run('comms_send_message', { kind: 'admin' }, input)),
  ];
  const callbackSender = container.get<CallbackSender>(TOKENS.CallbackSender);
  if (config.alerts.webhook.url && config.alerts.webhook.secret) alertSinks.push(webhookSink(callbackSender, ids, config.alerts.webhook.url, config.alerts.webhook.secret));
  const alerts = new AlertManager(config.alerts, new Map(alertSinks.map((sink) => [sink.name, sink])), clock, logger);
  const jobs = await openJobQueue(db.port.dialect, config, logger.child({ component: 'jobs' }));
  // Opened last of what can fail: its listening connection would keep a process that failed to start alive.
  const crossProcess = await openCrossProcess(db.port.dialect, config, logger);
  const jobDefinitions = backgroundJobs(() => ports, config);
  for (const job of jobDefinitions) jobs.define(job);
  // Core gets its ports from the container: the one place where adapters are bound to ports.
  const ports: CorePorts = {
    clock: container.get<Clock>(TOKENS.Clock),
    ids: container.get<IdGenerator>(TOKENS.Ids),
    logger: container.get<Logger>(TOKENS.Logger),
    secrets: container.get<Secrets>(TOKENS.Secrets),
    db: container.get<Database>(TOKENS.Database),
    phoneNumbers: container.get<PhoneNumbers>(TOKENS.PhoneNumbers),
    telephony: optionalPort('telephony'),
    email: optionalPort('email'),
    whatsapp: optionalPort('whatsapp'),
    tts: optionalPort('tts'),
    storage: optionalPort('storage'),
    brain: optionalPort('brain'),
    stt: optionalPort('stt'),
    liveCalls: new LiveCallRegistry(),
    callControl: crossProcess.callControl,
    callbackSender,
    policyRecorder: container.get<PolicyRecorder>(TOKENS.PolicyRecorder),
    phoneLocations: container.get<PhoneLocations>(TOKENS.PhoneLocations),
    contentFilter: container.get<ContentFilter>(TOKENS.ContentFilter),
    metrics,
    authFailures: new AuthFailureWindows(),
    settings,
    jobs,
    notifyCallbacksPending: () => jobs.trigger(JOBS.callbacks),
    notifyPoolDrawn: () => jobs.trigger(JOBS.numberPool),
    agentEvents: crossProcess.agentEvents,
    agentChanges: crossProcess.agentChanges,
    alerts,
    alertTriggers: new AlertTriggers(alerts, config.alerts.triggers, clock),
    anomalies: new AnomalyDetector(config.alerts.anomalies, { alerts, agents: db.port.agents, clock, logger }),
    credentialCipher,
    providerVerifier: pluginProviderVerifier((port) => pluginContext(port, config.dataDir)),
    setup: { store: new SetupOverlayStore(setupOverlayFile(config.dataDir)), probe: new FetchSelfProbe(), catalog: builtInProviderCatalog },
    providerAccounts: optional.telephony?.port.accounts ?? null,
    telephonyWith: (ref) => telephonyWith(ref),
    scenarios: null,
  };
  wired.ports = ports;
  crossProcess.callControl.serve((callId, action) => actOnLiveCall(ports.liveCalls, callId, action));
  const runner = new UseCaseRunner(inDemoMode(ports) ? [...USE_CASES, ...DEMO_USE_CASES] : USE_CASES, ports, ids, metrics, config.confirm.tools);
  const demoSecret = config.telephony?.options.webhookSecret;
  const contact = options.scenarioContact?.(ports, runner) ?? new DemoContact(ports, runner, typeof demoSecret === 'string' ? demoSecret : undefined);
  ports.scenarios = new HostScenarioRunner(runner, contact, logger.child({ component: 'scenarios' }));

  return {
    loaded,
    container,
    ports,
    runner,
    logger,
    jobs,
    async runJob(name) {
      const job = jobDefinitions.find((definition) => definition.name === name);
      if (!job) throw new Error(`no background job ${name} in this configuration`);
      await job.run();
    },
    alerts,
    securityEvents: securityEventSink(logger, alerts, [{ authFailureBurst: (burst) => void recordLockout(ports, burst) }]),
    readiness: () => readinessOf(db, optional),
    prometheus,
    subscriptionChanges: crossProcess.subscriptionChanges,
    async close() {
      await jobs.stop();
      await crossProcess.stop();
      await alerts.settled();
      await closeAll();
    },
  };
}

/** One line per failed adapter; a failure with stored credentials keeps its code (CREDENTIALS_KEY_MISSING …) and next step. */
function storedCredentialsProblem(port: string, spec: AdapterConfig, err: DomainError): string {
  if (!spec.credentialsRef || err.code === 'CONFIG_INVALID' || err.code === 'PLUGIN_INVALID') return err.message;
  return `${port}.credentialsRef "${spec.credentialsRef}": ${err.code}: ${err.message}${err.nextStep ? ` ${err.nextStep}` : ''}`;
}
