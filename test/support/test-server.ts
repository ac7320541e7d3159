import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { silentLogger } from '../../adapters/node/pino-logger.js';
import { buildApp, type App, type BuildAppOptions } from '../../hosts/composition/build-app.js';
import { loadConfig } from '../../hosts/config/load-config.js';
import { startServer, type RunningServer } from '../../hosts/http/serve.js';
import type { EventLoopDelay } from '../../hosts/http/hardening/event-loop-delay.js';
import type { Clock, Logger } from '../../ports/runtime.js';
import { tempDir } from './plugin-context.js';

const NO_DELAY: EventLoopDelay = { currentMs: () => 0, close: () => {} };

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

export interface TestServerOptions {
  telephony?: { use: string; options?: Record<string, unknown> } | null;
  db?: { use: string; options?: Record<string, unknown> };
  callbackUrl?: string;
  /** Extra top-level config keys. */
  extra?: Record<string, unknown>;
  /** Where the server logs (default: nowhere). */
  logger?: Logger;
  clock?: Clock;
  /** The event-loop delay load shedding reads (default: none, so that a loaded machine sheds no test's request). */
  eventLoopDelay?: EventLoopDelay;
  /** The environment the server reads COMMS_CREDENTIALS_KEY from (default: none set). */
  env?: Record<string, string | undefined>;
  /** Who plays the contact in demo scenarios (default: the demo adapters). */
  scenarioContact?: BuildAppOptions['scenarioContact'];
}

export interface TestServer {
  url: string;
  app: App;
  running: RunningServer;
  dir: string;
  configFile: string;
  createAgent(input: { name: string; phone?: string; email?: string; whatsapp?: string; callbackUrl?: string }): Promise<{ agentId: string; token: string; callbackSecret: string }>;
  close(): Promise<void>;
}

/** The test database: SQLite in the server's temp folder, or PostgreSQL in a fresh schema when asked. */
export function testDbConfig(dir: string): { use: string; options: Record<string, unknown> } {
  return { use: 'sqlite', options: { path: join(dir, 'comms.sqlite') } };
}

/** Writes a config file into a temp folder and starts the real server in-process on a free port. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = tempDir('agentos-server-');
  const config: Record<string, unknown> = {
    server: { host: '127.0.0.1', port: 0 },
    dataDir: dir,
    log: { level: 'silent' },
    auth: { adminToken: ADMIN_TOKEN },
    callbacks: { pollIntervalMs: 200, ...(options.callbackUrl ? { defaultUrl: options.callbackUrl } : {}) },
    db: options.db ?? testDbConfig(dir),
    telephony: options.telephony === null ? { enabled: false } : (options.telephony ?? { use: 'mock' }),
    // Config files overlay the demo defaults: channels a test does not ask for are switched off.
    ...Object.fromEntries(['email', 'whatsapp', 'tts', 'storage', 'brain'].map((section) => [section, { enabled: false }])),
    // Quiet hours follow the wall clock: tests that are not about them switch them off (some use numbers
    // with real area codes), and those that are pass their own compliance section and a fake clock.
    compliance: { quietHours: { enabled: false } },
    ...options.extra,
  };
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, stringify(config));
  const app = await buildApp(loadConfig({ file: configFile, env: {} }), { migrate: true, logger: options.logger ?? silentLogger(), clock: options.clock, env: options.env ?? {}, scenarioContact: options.scenarioContact });
  const running = await startServer(app, { eventLoopDelay: options.eventLoopDelay ?? NO_DELAY }).catch(async (err: unknown) => {
    await app.close();
    throw err;
  });
  return {
    url: running.url,
    app,
    running,
    dir,
    configFile,
    async createAgent(input) {
      return (await app.runner.run('comms_create_agent', { kind: 'admin' }, input)) as { agentId: string; token: string; callbackSecret: string };
    },
    close: () => running.close(),
  };
}

/** A logger that keeps what it is given, for asserting on warnings. */
export function recordingLogger(lines: Array<{ level: string; msg: string }> = []): Logger & { lines: typeof lines } {
  const logger = {
    lines,
    debug: (_f: object, msg: string) => lines.push({ level: 'debug', msg }),
    info: (_f: object, msg: string) => lines.push({ level: 'info', msg }),
    warn: (_f: object, msg: string) => lines.push({ level: 'warn', msg }),
    error: (_f: object, msg: string) => lines.push({ level: 'error', msg }),
    child: () => logger,
  };
  return logger;
}
