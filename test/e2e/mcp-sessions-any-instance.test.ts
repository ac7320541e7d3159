import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StreamableHttpHost } from '../../hosts/mcp/streamable-http-host.js';
import { eventually } from '../support/callback-receiver.js';
import { tempDir } from '../support/plugin-context.js';
import { callOk } from '../support/mcp-client.js';
import { answersOf, openRawSession, PROTOCOL, toolCall } from '../support/mcp-raw.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type DbConfig = { use: string; options: Record<string, unknown> };

/** Two instances on one database, as behind a load balancer without sticky sessions; every check on each request. */
async function twoInstances(db: DbConfig): Promise<[TestServer, TestServer]> {
  const extra = { server: { host: '127.0.0.1', port: 0, mcp: { sessionRecheckMs: 0 } } };
  const a = await startTestServer({ db, extra });
  const b = await startTestServer({ db, extra }).catch(async (err: unknown) => {
    await a.close();
    throw err;
  });
  return [a, b];
}

const inSession = (sessionId: string, token: string) => ({
  authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream',
  'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL,
});

function sessionsOnAnyInstance(name: string, database: () => DbConfig | Promise<DbConfig>) {
  describe(`MCP sessions served by any instance (${name})`, () => {
    let a: TestServer;
    let b: TestServer;
    let token = '';
    let otherToken = '';
    const clients: Client[] = [];

    beforeAll(async () => {
      [a, b] = await twoInstances(await database());
      token = (await a.createAgent({ name: 'Roaming agent' })).token;
      otherToken = (await a.createAgent({ name: 'Other agent' })).token;
    });

    afterEach(async () => {
      for (const client of clients.splice(0)) await client.close();
    });

    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    const post = (server: TestServer, sessionId: string, body: unknown, bearer = token) =>
      fetch(`${server.url}/mcp`, { method: 'POST', headers: inSession(sessionId, bearer), body: JSON.stringify(body) });

    it('serves tools/list and a tool call on B in a session opened on A, with the client as it declared itself', async () => {
      const session = await openRawSession(a.url, token);
      const record = await b.app.ports.db.mcpSessions.findById(session.sessionId);
      expect(record).toMatchObject({ id: session.sessionId, protocolVersion: PROTOCOL, clientInfo: { name: 'raw-test', version: '1' } });
      expect(record?.owner).toMatch(/^agent:/);
      expect(b.running.mcp.transportOf(session.sessionId)).toBeUndefined();

      const [list] = await answersOf(await post(b, session.sessionId, { jsonrpc: '2.0', id: 1, method: 'tools/list' }));
      expect((list?.result?.tools as Array<{ name: string }>).map((t) => t.name)).toContain('comms_get_messages');
      const answer = await post(b, session.sessionId, toolCall(2, 'comms_get_messages', {}));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('mcp-session-id')).toBe(session.sessionId);
      const [call] = await answersOf(answer);
      expect(call?.result?.isError).toBeUndefined();
      expect(call?.result?.structuredContent).toMatchObject({ messages: [] });
      expect(b.running.mcp.clientOf(session.sessionId)).toEqual({ capabilities: {}, info: { name: 'raw-test', version: '1' } });
      // A still serves it too.
      const [again] = await answersOf(await post(a, session.sessionId, toolCall(3, 'comms_get_messages', {})));
      expect(again?.result?.structuredContent).toMatchObject({ messages: [] });
      await session.remove();
    });

    it('refuses the session to another principal on an instance that does not hold it (403), and unknown ids (404)', async () => {
      const session = await openRawSession(a.url, token);
      const stolen = await post(b, session.sessionId, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, otherToken);
      expect(stolen.status).toBe(403);
      expect(((await stolen.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
      expect(b.running.mcp.transportOf(session.sessionId)).toBeUndefined();
      expect((await post(b, 'no-such-session', { jsonrpc: '2.0', id: 1, method: 'tools/list' })).status).toBe(404);
      // The owner still gets it there.
      expect((await post(b, session.sessionId, { jsonrpc: '2.0', id: 2, method: 'tools/list' })).status).toBe(200);
      await session.remove();
    });

    it('answers the concurrent first requests of a session on B, the session held there once', async () => {
      const session = await openRawSession(a.url, token);
      // Earlier tests' sessions ended on A may still be held here until their next request or the idle sweep.
      const held = b.running.mcp.sessionCount;
      const answers = await Promise.all([1, 2, 3, 4, 5].map((id) => post(b, session.sessionId, toolCall(id, 'comms_get_messages', {}))));
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const results = await Promise.all(answers.map(async (r) => (await answersOf(r))[0]?.result?.structuredContent));
      expect(results).toEqual(Array(5).fill({ messages: [] }).map((m) => expect.objectContaining(m)));
      expect(b.running.mcp.sessionCount).toBe(held + 1);
      await session.remove();
    });

    it('ends the session everywhere when B answers its DELETE: A then answers 404', async () => {
      const session = await openRawSession(a.url, token);
      const ended = await fetch(`${b.url}/mcp`, { method: 'DELETE', headers: inSession(session.sessionId, token) });
      expect(ended.status).toBe(200);
      expect(await a.app.ports.db.mcpSessions.findById(session.sessionId)).toBeNull();
      const late = await post(a, session.sessionId, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
      expect(late.status).toBe(404);
      expect(a.running.mcp.transportOf(session.sessionId)).toBeUndefined();
    });

    it('serves an SDK client whose requests alternate between the instances (round robin, no stickiness)', async () => {
      const targets = [a.url, b.url];
      let next = 0;
      const seen: string[] = [];
      const roundRobin = (input: string | URL | Request, init?: RequestInit) => {
        const target = targets[next++ % targets.length]!;
        seen.push(target);
        const url = new URL(String(input instanceof Request ? input.url : input));
        return fetch(`${target}${url.pathname}`, init);
      };
      const client = new Client({ name: 'roaming-client', version: '2.0.0' }, { capabilities: { elicitation: { form: {} } } });
      clients.push(client);
      await client.connect(new StreamableHTTPClientTransport(new URL(`${a.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } }, fetch: roundRobin,
      }));
      const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId!;
      for (let i = 0; i < 4; i++) {
        expect((await client.listTools()).tools.map((t) => t.name)).toContain('comms_get_messages');
        expect(await callOk(client, 'comms_get_messages', {})).toMatchObject({ messages: [] });
      }
      expect(new Set(seen)).toEqual(new Set(targets));
      // Each instance's Server knows the client as it declared itself, elicitation included.
      for (const server of [a, b]) {
        expect(server.running.mcp.clientOf(sessionId)).toEqual({ capabilities: { elicitation: { form: {} } }, info: { name: 'roaming-client', version: '2.0.0' } });
      }
      await (client.transport as StreamableHTTPClientTransport).terminateSession();
      expect(await a.app.ports.db.mcpSessions.findById(sessionId)).toBeNull();
    });
  });
}

sessionsOnAnyInstance('SQLite file shared by two apps', () => ({ use: 'sqlite', options: { path: join(tempDir('agentos-shared-'), 'comms.sqlite') } }));

describe.skipIf(!POSTGRES_URL)('on PostgreSQL (COMMS_TEST_POSTGRES_URL)', () => {
  let schemas: Awaited<ReturnType<typeof postgresSchemas>> | undefined;
  afterAll(async () => schemas?.close());
  sessionsOnAnyInstance('PostgreSQL, one schema', async () => {
    schemas ??= await postgresSchemas(POSTGRES_URL!);
    return { use: 'postgresql', options: { url: POSTGRES_URL!, schema: schemas.fresh(), poolMax: 4 } };
  });
});

describe('the idle sweep of stored MCP sessions', () => {
  let server: TestServer;
  let host: StreamableHttpHost;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await host?.close();
    await server?.close();
  });

  it('removes records no instance touched within the idle time (plus the touch interval), and keeps the others', async () => {
    const sessions = server.app.ports.db.mcpSessions;
    const record = (id: string, lastSeenAt: Date) => ({
      id, owner: 'admin', protocolVersion: PROTOCOL, clientCapabilities: {}, clientInfo: { name: 'c', version: '1' }, createdAt: lastSeenAt, lastSeenAt,
    });
    await sessions.insert(record('stale', new Date(Date.now() - 60_000)));
    await sessions.insert(record('fresh', new Date(Date.now() + 60_000)));
    host = new StreamableHttpHost(server.app.runner, {
      maxSessionsPerPrincipal: 5, responseTimeoutMs: 5000, idleMs: 200, sessionRecheckMs: 100, toolsets: ['all'], adminToolsets: ['all'],
    }, undefined, [], sessions);
    await eventually(async () => ((await sessions.findById('stale')) === null ? true : undefined));
    expect(await sessions.findById('fresh')).not.toBeNull();
  });
});
