import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpResources } from '../../hosts/mcp/resource-handlers.js';
import { StreamableHttpHost } from '../../hosts/mcp/streamable-http-host.js';
import { eventually } from '../support/callback-receiver.js';
import { connectHttpClient } from '../support/mcp-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const IDLE_MS = 300;

/**
 * A session whose client only listens (its GET stream open, subscribed, sending nothing) is in use: the idle
 * sweep keeps it. Once that client vanishes without ending the session, the sweep closes it, and its
 * subscriptions go with it.
 */
describe('idle MCP sessions and resource subscriptions', () => {
  let server: TestServer;
  let host: StreamableHttpHost;
  let http: Server;
  let url = '';
  let agentId = '';

  beforeAll(async () => {
    server = await startTestServer();
    agentId = (await server.createAgent({ name: 'Idle listener' })).agentId;
    host = new StreamableHttpHost(server.app.runner, { maxSessionsPerPrincipal: 5, responseTimeoutMs: 5000, idleMs: IDLE_MS, toolsets: ['all'], adminToolsets: ['all'] }, undefined, [mcpResources(server.app)]);
    // The bare MCP endpoint, every request made as the agent (the real HTTP host authenticates first).
    http = createServer((req, res) => {
      void (async () => {
        let raw = '';
        for await (const chunk of req) raw += String(chunk);
        const body: unknown = raw ? JSON.parse(raw) : undefined;
        const transport = await host.transportFor(req, { kind: 'agent', agentId }, body);
        await transport.handleRequest(req, res, body);
      })().catch(() => res.writeHead(500).end());
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await host?.close();
    http?.close();
    await server?.close();
  });

  it('keeps a listening session past the idle time, and sweeps it with its subscriptions once the client is gone', async () => {
    const client: Client = await connectHttpClient(url, 'unused');
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId!;
    // The SDK client opens its GET stream on its own, just after initializing.
    await eventually(() => host.transportOf(sessionId)?.listening || undefined);
    await client.subscribeResource({ uri: 'comms://inbox' });
    expect(host.sessionCount).toBe(1);
    expect(server.app.ports.agentEvents.listenerCount(agentId)).toBe(1);
    await new Promise((r) => setTimeout(r, IDLE_MS * 4));
    expect(host.sessionCount).toBe(1);
    expect(server.app.ports.agentEvents.listenerCount(agentId)).toBe(1);

    await client.close(); // no DELETE: the client just goes away
    await eventually(() => (host.sessionCount === 0 ? true : undefined), IDLE_MS * 10);
    expect(server.app.ports.agentEvents.listenerCount(agentId)).toBe(0);
  });
});
