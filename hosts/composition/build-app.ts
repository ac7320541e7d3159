import 'reflect-metadata';
import { mkdirSync } from 'node:fs';
import { Container } from 'inversify';
import { applyPushedSmsStatus } from '../../core/messages/inbound-sms.js';
import type { CorePorts, CoreSettings, Provided } from '../../core/context.js';
import { USE_CASES } from '../../core/use-cases.js';
import { StandardWebhooksSender } from '../../adapters/http/standard-webhooks-sender.js';
import { NodeSecrets } from '../../adapters/node/node-secrets.js';
import { createLogger } from '../../adapters/node/pino-logger.js';
import { SystemClock } from '../../adapters/node/system-clock.js';
import { TimeSortableIds } from '../../adapters/node/time-sortable-ids.js';
import { loadPlugin } from '../../plugins/plugin-loader.js';
import type { CallbackSender } from '../../ports/callbacks.js';
import { DomainError, isDomainError } from '../../ports/errors.js';
import type { PluginContext, ProviderEventSink } from '../../ports/plugin.js';
import type { Database } from '../../ports/repositories.js';
import type { Logger } from '../../ports/runtime.js';
import type { TelephonyPort } from '../../ports/telephony.js';
import { TOKENS } from '../../ports/tokens.js';
import type { LoadedConfig } from '../config/app-config.js';
import { UseCaseRunner } from '../shared/use-case-runner.js';
import { CallbackScheduler } from './callback-scheduler.js';

export interface App {
  loaded: LoadedConfig;
  container: Container;
  ports: CorePorts;
  runner: UseCaseRunner;
  logger: Logger;
  callbacks: CallbackScheduler;
  /** Database reachable and every configured adapter built. */
  readiness(): Promise<{ ready: boolean; checks: Record<string, string> }>;
  close(): Promise<void>;
}

export interface BuildAppOptions {
  /** Apply pending migrations before serving (serve and migrate do; tests may). */
  migrate?: boolean;
  /** Log to stderr (2, default: stdout stays free for MCP stdio) or stdout (1). */
  logFd?: 1 | 2;
  logger?: Logger;
}

/**
 * The composition root: builds every adapter named in the config through the plugin loader, binds the
 * ports into the container and hands core its ports. Adapter errors are collected so the operator sees
 * every problem at once, one line each.
 */
export async function buildApp(loaded: LoadedConfig, options: BuildAppOptions = {}): Promise<App> {
  const { config } = loaded;
  const logger = options.logger ?? createLogger(config.log.level, options.logFd ?? 2);
  for (const warning of loaded.warnings) logger.warn({}, warning);
  mkdirSync(config.dataDir, { recursive: true });

  const clock = new SystemClock();
  const ids = new TimeSortableIds();
  const settings: CoreSettings = {
    publicBaseUrl: config.publicBaseUrl ?? `http://${config.server.host}:${config.server.port}`,
    defaultCallbackUrl: config.callbacks.defaultUrl,
    adminToken: config.auth.adminToken,
  };
  // Adapters get the event sink before core's ports exist; events that come that early are dropped.
  const wired: { ports?: CorePorts } = {};
  const events: ProviderEventSink = {
    smsStatus: (update) => {
      if (!wired.ports) return;
      applyPushedSmsStatus(wired.ports, update).catch((err: unknown) => logger.error({ err }, 'applying a pushed status failed'));
    },
    emailReceived: () => {
      logger.warn({}, 'inbound email pushed, but the email channel is not wired yet');
    },
  };
  const pluginContext = (port: string): PluginContext => ({
    logger: logger.child({ port }),
    clock,
    ids,
    publicBaseUrl: settings.publicBaseUrl,
    configDir: loaded.dir,
    dataDir: config.dataDir,
    events,
  });

  const problems: string[] = [];
  const built: Array<{ close(): Promise<void> }> = [];
  const attempt = async <T>(build: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await build();
    } catch (err) {
      problems.push(isDomainError(err) ? err.message : `${(err as Error).message}`);
      return undefined;
    }
  };
  const db = await attempt(() => loadPlugin('db', config.db, pluginContext('db'), { missingEnv: loaded.missingEnv }));
  if (db) built.push(db.port);
  const telephony = config.telephony
    ? await attempt(() => loadPlugin('telephony', config.telephony!, pluginContext('telephony'), { missingEnv: loaded.missingEnv }))
    : undefined;
  if (telephony?.port.close) built.push({ close: () => telephony.port.close!() });
  if (problems.length > 0 || !db) {
    await Promise.allSettled(built.map((b) => b.close()));
    throw new DomainError('CONFIG_INVALID', `cannot start:\n  - ${problems.join('\n  - ')}`, 'Fix the listed settings.');
  }
  if (options.migrate) {
    const applied = await db.port.migrate();
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  }

  const container = new Container();
  container.bind(TOKENS.Logger).toConstantValue(logger);
  container.bind(TOKENS.Clock).toConstantValue(clock);
  container.bind(TOKENS.Ids).toConstantValue(ids);
  container.bind(TOKENS.Secrets).toConstantValue(new NodeSecrets());
  container.bind(TOKENS.Database).toConstantValue(db.port);
  container.bind(TOKENS.CallbackSender).toConstantValue(new StandardWebhooksSender());
  if (telephony) container.bind(TOKENS.Telephony).toConstantValue({ id: telephony.id, port: telephony.port });

  const callbacks = new CallbackScheduler(() => ports, config.callbacks.pollIntervalMs);
  const ports: CorePorts = {
    clock,
    ids,
    logger,
    secrets: container.get(TOKENS.Secrets),
    db: container.get<Database>(TOKENS.Database),
    telephony: telephony ? container.get<Provided<TelephonyPort>>(TOKENS.Telephony) : null,
    callbackSender: container.get<CallbackSender>(TOKENS.CallbackSender),
    settings,
    notifyCallbacksPending: () => callbacks.kick(),
  };
  wired.ports = ports;
  const runner = new UseCaseRunner(USE_CASES, ports, ids);

  return {
    loaded,
    container,
    ports,
    runner,
    logger,
    callbacks,
    async readiness() {
      const checks: Record<string, string> = {};
      try {
        await db.port.ping();
        checks.db = `ok (${db.id})`;
      } catch (err) {
        checks.db = `unreachable: ${(err as Error).message}`;
      }
      checks.telephony = telephony ? `ok (${telephony.id})` : 'not configured';
      return { ready: checks.db.startsWith('ok'), checks };
    },
    async close() {
      await callbacks.stop();
      await Promise.allSettled(built.map((b) => b.close()));
    },
  };
}
