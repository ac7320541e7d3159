import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/callback-receiver.js';
import { answersOf, initializeRequest, openRawSession, toolCall } from '../support/mcp-raw.js';
import { ADMIN_TOKEN, recordingLogger, startTestServer, type TestServer } from '../support/test-server.js';

const SEND = (i: number) => ({ channel: 'sms', to: `+1555010${String(150 + (i % 40)).padStart(4, '0')}`, body: `hello ${i}` });

/** Makes one tool hang until released, to hold a request in flight. */
function holdTool(server: TestServer, name: string) {
  const runner = server.app.runner;
  const original = runner.run.bind(runner);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  runner.run = async (tool, ...rest) => {
    if (tool === name) await gate;
    return original(tool, ...rest);
  };
  return { release, restore: () => { release(); runner.run = original; } };
}

describe('MCP endpoint: origins, sessions, answers (demo provider)', () => {
  let server: TestServer;
  let agent: { agentId: string; token: string };
  const log = recordingLogger();
  let restore: (() => void) | undefined;

  beforeAll(async () => {
    server = await startTestServer({
      logger: log,
      extra: { server: { host: '127.0.0.1', port: 0, mcp: { allowedOrigins: ['https://app.example.com'], maxSessionsPerPrincipal: 2, responseTimeoutMs: 3000 } } },
    });
    agent = await server.createAgent({ name: 'MCP agent', phone: '+15550100031' });
  });
  afterEach(() => restore?.());
  afterAll(() => server?.close());

  const initWith = (headers: Record<string, string>) => fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(initializeRequest()),
  });

  it('refuses browser origins other than its own and the configured ones with 403 ORIGIN_NOT_ALLOWED, before the token', async () => {
    const auth = { authorization: `Bearer ${agent.token}` };
    for (const origin of ['http://evil.example', 'null', 'http://localhost:1', `http://evil.example:${new URL(server.url).port}`]) {
      const refused = await initWith({ ...auth, origin });
      expect(refused.status, origin).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: 'ORIGIN_NOT_ALLOWED', nextStep: expect.stringContaining('allowedOrigins') } });
    }
    // Without a token too: the origin is checked first, so a rebinding page learns nothing about tokens.
    expect((await initWith({ origin: 'http://evil.example' })).status).toBe(403);
    expect(server.running.mcp.sessionCount).toBe(0);

    for (const origin of [undefined, new URL(server.url).origin, 'https://app.example.com']) {
      const accepted = await initWith({ ...auth, ...(origin ? { origin } : {}) });
      expect(accepted.status, origin).toBe(200);
      const sessionId = accepted.headers.get('mcp-session-id')!;
      await accepted.text();
      await fetch(`${server.url}/mcp`, { method: 'DELETE', headers: { ...auth, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' } });
    }
  });

  it('answers 401 with WWW-Authenticate: Bearer, naming a refused token', async () => {
    const missing = await initWith({});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="agentos-comms"');
    const wrong = await initWith({ authorization: 'Bearer aoc_wrong' });
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="agentos-comms", error="invalid_token"');
    const rest = await fetch(`${server.url}/api/v1/messages`);
    expect(rest.status).toBe(401);
    expect(rest.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('releases the transport\'s per-request bookkeeping after every answer', async () => {
    const mcp = await openRawSession(server.url, agent.token);
    for (let i = 1; i <= 40; i++) {
      const [answer] = await answersOf(await mcp.post(toolCall(i, i % 2 ? 'comms_send_message' : 'comms_get_messages', i % 2 ? SEND(i) : { limit: 1 })));
      expect(answer?.result?.isError, JSON.stringify(answer)).toBeFalsy();
    }
    const transport = server.running.mcp.transportOf(mcp.sessionId)!;
    // The SDK's JSON-response mode kept an entry per request (typescript-sdk#2559); ours must keep none.
    expect({ streams: transport.heldStreams, ours: transport.inFlightCount }).toEqual({ streams: 0, ours: 0 });
    await mcp.remove();
  });

  it('refuses a request id that is still in flight (409, JSON-RPC error) and still answers the first', async () => {
    const held = holdTool(server, 'comms_get_messages');
    restore = held.restore;
    const mcp = await openRawSession(server.url, agent.token);
    const first = mcp.post(toolCall(7, 'comms_get_messages', { limit: 1 }));
    await eventually(() => (server.running.mcp.transportOf(mcp.sessionId)!.inFlightCount === 1 ? true : undefined));

    const duplicate = await mcp.post(toolCall(7, 'comms_get_messages', { limit: 2 }));
    expect(duplicate.status).toBe(409);
    expect(await duplicate.json()).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32600, data: { code: 'REQUEST_ID_IN_FLIGHT' } } });
    // "7" is another id than 7.
    const other = mcp.post(toolCall('7', 'comms_get_messages', { limit: 1 }));

    held.release();
    const [answer] = await answersOf(await first);
    expect(answer).toMatchObject({ id: 7, result: { structuredContent: { messages: expect.any(Array) } } });
    expect((await answersOf(await other))[0]).toMatchObject({ id: '7', result: expect.any(Object) });
    await mcp.remove();
  });

  it('answers requests in flight when their session is deleted, with a JSON-RPC error', async () => {
    const held = holdTool(server, 'comms_get_messages');
    restore = held.restore;
    const mcp = await openRawSession(server.url, agent.token);
    const pending = mcp.post(toolCall(1, 'comms_get_messages', { limit: 1 }));
    await eventually(() => (server.running.mcp.transportOf(mcp.sessionId)?.inFlightCount === 1 ? true : undefined));

    expect((await mcp.remove()).status).toBe(200);
    const [answer] = await answersOf(await pending);
    expect(answer).toMatchObject({ id: 1, error: { code: -32000, data: { code: 'SESSION_CLOSED', nextStep: expect.stringContaining('idempotencyKey') } } });
  });

  it('answers a request that outlives the response deadline with a JSON-RPC error, and drops its late result', async () => {
    const held = holdTool(server, 'comms_get_messages');
    restore = held.restore;
    const mcp = await openRawSession(server.url, agent.token);
    const [answer] = await answersOf(await mcp.post(toolCall(5, 'comms_get_messages', { limit: 1 })));
    expect(answer).toMatchObject({ id: 5, error: { code: -32001, data: { code: 'RESPONSE_TIMEOUT', details: { timeoutMs: 3000 } } } });

    // The id is free again, and the late result of the first call does not reach its successor.
    const next = mcp.post(toolCall(5, 'comms_get_messages', { limit: 3 }));
    held.release();
    const [second] = await answersOf(await next);
    expect(second).toMatchObject({ id: 5, result: { structuredContent: { messages: expect.any(Array) } } });
    expect(server.running.mcp.transportOf(mcp.sessionId)!.inFlightCount).toBe(0);
    await mcp.remove();
  });

  it('does not log a request the client aborted as an error', async () => {
    log.lines.length = 0;
    const held = holdTool(server, 'comms_get_messages');
    restore = held.restore;
    const mcp = await openRawSession(server.url, agent.token);
    const transport = server.running.mcp.transportOf(mcp.sessionId)!;
    // Aborted while waiting for the answer: its id is free again, nothing is logged as an error.
    const controller = new AbortController();
    const aborted = mcp.post(toolCall(10, 'comms_get_messages', { limit: 1 }), {}, controller.signal).then((r) => r.text()).catch((err: Error) => err.name);
    await eventually(() => (transport.inFlightCount === 1 ? true : undefined));
    controller.abort();
    expect(await aborted).toBe('AbortError');
    await eventually(() => (transport.inFlightCount === 0 ? true : undefined));
    held.release();

    // Aborted while still sending its body, once the server has started on it (the token is hashed: its caller
    // is cached by then, so the hash, not a database lookup, says the server got this far).
    const secrets = server.app.ports.secrets;
    const hash = secrets.hash.bind(secrets);
    let started!: () => void;
    const serverStarted = new Promise<void>((resolve) => (started = resolve));
    secrets.hash = (value) => { started(); return hash(value); };
    try {
      await new Promise<void>((resolve) => {
        const req = request(`${server.url}/mcp`, {
          method: 'POST',
          headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json', 'content-length': '1000', 'mcp-session-id': mcp.sessionId },
        });
        req.on('error', () => resolve());
        req.write('{"jsonrpc":"2.0",');
        void serverStarted.then(() => req.destroy());
      });
      await eventually(() => (log.lines.some((l) => l.msg === 'client closed the request') ? true : undefined));
    } finally {
      secrets.hash = hash;
    }
    await mcp.remove();
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('keeps at most maxSessionsPerPrincipal sessions per token: the least recently used idle one is closed, all busy is refused', async () => {
    const first = await openRawSession(server.url, agent.token);
    const second = await openRawSession(server.url, agent.token);
    // The admin's sessions are counted apart.
    const admin = await openRawSession(server.url, ADMIN_TOKEN);
    await (await second.post(toolCall(1, 'comms_get_messages', { limit: 1 }))).text();
    const third = await openRawSession(server.url, agent.token);
    const gone = await first.post(toolCall(2, 'comms_get_messages', { limit: 1 }));
    expect(gone.status).toBe(404);
    expect(server.running.mcp.transportOf(second.sessionId)).toBeDefined();

    const held = holdTool(server, 'comms_get_messages');
    restore = held.restore;
    const busy = [second.post(toolCall(3, 'comms_get_messages', { limit: 1 })), third.post(toolCall(3, 'comms_get_messages', { limit: 1 }))];
    await eventually(() => (server.running.mcp.transportOf(third.sessionId)?.inFlightCount === 1 && server.running.mcp.transportOf(second.sessionId)?.inFlightCount === 1 ? true : undefined));
    const refused = await initWith({ authorization: `Bearer ${agent.token}` });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'SESSION_LIMIT_REACHED', details: { limit: 2 } } });
    held.release();
    for (const answer of await Promise.all(busy.map(async (r) => (await answersOf(await r))[0]))) expect(answer?.result).toBeDefined();
    await Promise.all([second.remove(), third.remove(), admin.remove()]);
  });
});
