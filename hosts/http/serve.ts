import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '../composition/build-app.js';
import { StreamableHttpHost } from '../mcp/streamable-http-host.js';
import { mcpResources } from '../mcp/resource-handlers.js';
import { VoiceSocketHost } from '../voice/voice-socket-host.js';
import { createHttpApp } from './http-app.js';
import { listenError } from './listen-error.js';
import { buildHttpDefences } from './hardening/http-defences.js';
import type { EventLoopDelay } from './hardening/event-loop-delay.js';

export interface RunningServer {
  /** Where the server listens, e.g. http://127.0.0.1:3000. */
  url: string;
  server: Server;
  /** The MCP sessions served at /mcp. */
  mcp: StreamableHttpHost;
  close(): Promise<void>;
}

const LOOPBACK = /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(\/|$)/;

export interface StartServerOptions {
  /** The event-loop delay load shedding reads (tests inject one; default: measured). */
  eventLoopDelay?: EventLoopDelay;
}

/** Starts the HTTP server (MCP, REST, webhooks, health) and the background jobs (callback outbox, sweeps). */
export async function startServer(app: App, options: StartServerOptions = {}): Promise<RunningServer> {
  const { host, port } = app.loaded.config.server;
  const { security } = app.loaded.config;
  const adminRoutes = app.runner.useCases.filter((useCase) => useCase.auth === 'admin').map((useCase) => useCase.rest);
  const defences = await buildHttpDefences(security, adminRoutes, { eventLoopDelay: options.eventLoopDelay, events: app.securityEvents, clock: app.ports.clock });
  // Sessions, and their resource subscriptions, are stored: any instance on the database serves them.
  const stored = app.ports.db.mcpSessions;
  const resources = mcpResources(app, { store: stored, changes: app.subscriptionChanges });
  const mcp = new StreamableHttpHost(app.runner, app.loaded.config.server.mcp, app.logger, [resources], stored);
  // Deadlines are checked every connectionsCheckingInterval (Node's default, 30 s, would let a slow client
  // hold a connection that long past its headers deadline).
  const checkEveryMs = Math.max(100, Math.min(1000, Math.floor(security.timeouts.headersMs / 2)));
  const server = createServer({ connectionsCheckingInterval: checkEveryMs }, createHttpApp(app, mcp, defences).callback());
  const voice = new VoiceSocketHost(app.ports, app.logger);
  voice.attach(server);
  // Slow clients are bounded: headers, the whole request, and idle keep-alive connections each have a deadline.
  server.headersTimeout = security.timeouts.headersMs;
  server.requestTimeout = security.timeouts.requestMs;
  server.keepAliveTimeout = security.timeouts.keepAliveMs;
  if (security.maxConnections > 0) server.maxConnections = security.maxConnections;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (err) {
    await Promise.allSettled([mcp.close(), voice.close(), defences.close()]);
    throw listenError(err, host, port);
  }
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  if (app.loaded.config.publicBaseUrl === null) app.ports.settings.publicBaseUrl = url;
  const telephony = app.ports.telephony;
  if (telephony && telephony.id !== 'mock' && LOOPBACK.test(app.ports.settings.publicBaseUrl)) {
    app.logger.warn(
      { publicBaseUrl: app.ports.settings.publicBaseUrl },
      `publicBaseUrl is a loopback address but telephony uses ${telephony.id}: the provider cannot reach webhooks; set PUBLIC_BASE_URL`,
    );
  }
  try {
    await app.jobs.start();
  } catch (err) {
    await Promise.allSettled([mcp.close(), voice.close(), defences.close(), new Promise<void>((resolve) => server.close(() => resolve()))]);
    throw err;
  }
  return {
    url,
    server,
    mcp,
    async close() {
      await mcp.close();
      await voice.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await defences.close();
      await app.close();
    },
  };
}
