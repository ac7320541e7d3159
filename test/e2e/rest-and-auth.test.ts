import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/callback-receiver.js';
import { connectHttpClient } from '../support/mcp-client.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

describe('HTTP host: REST routes, auth, health (demo provider)', () => {
  let server: TestServer;
  let agent: { agentId: string; token: string };
  let other: { agentId: string; token: string };

  const api = (path: string, init: RequestInit & { token?: string } = {}): Promise<Response> =>
    fetch(`${server.url}/api/v1${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
    });

  beforeAll(async () => {
    server = await startTestServer();
    agent = await server.createAgent({ name: 'REST agent', phone: '+15550100011' });
    other = await server.createAgent({ name: 'Other', phone: '+15550100012' });
  });
  afterAll(() => server?.close());

  it('answers liveness and readiness', async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { db: expect.stringMatching(/^ok/), telephony: 'ok (mock)' } });
  });

  it('sends and lists through REST with the same schema and codes as MCP; demo delivery is reported', async () => {
    const sent = await api('/messages', { method: 'POST', token: agent.token, body: JSON.stringify({ channel: 'sms', to: '+15550100170', body: 'via REST' }) });
    expect(sent.status).toBe(201);
    const body = (await sent.json()) as { messageId: string; status: string; providerMessageId: string };
    expect(body.providerMessageId).toBeTruthy();
    const delivered = await eventually(async () => {
      const list = (await (await api('/messages?limit=5&direction=outbound', { token: agent.token })).json()) as { messages: Array<{ id: string; status: string }> };
      const row = list.messages.find((m) => m.id === body.messageId);
      return row?.status === 'delivered' ? row : undefined;
    });
    expect(delivered.status).toBe('delivered');
  });

  it('answers JSON errors with stable codes and HTTP statuses', async () => {
    const cases: Array<[Promise<Response>, number, string]> = [
      [api('/messages', { method: 'POST', body: '{}' }), 401, 'UNAUTHORIZED'],
      [api('/messages', { method: 'POST', token: 'aoc_wrong', body: '{}' }), 401, 'UNAUTHORIZED'],
      [api('/messages', { method: 'POST', token: agent.token, body: '{not json' }), 400, 'INVALID_INPUT'],
      [api('/messages', { method: 'POST', token: agent.token, body: JSON.stringify({ channel: 'sms', to: '12', body: 'x' }) }), 400, 'INVALID_PHONE_NUMBER'],
      [api(`/messages?agentId=${other.agentId}`, { token: agent.token }), 403, 'FORBIDDEN'],
      [api('/messages?limit=1000', { token: agent.token }), 400, 'INVALID_INPUT'],
      [api('/agents', { method: 'POST', token: agent.token, body: JSON.stringify({ name: 'x' }) }), 403, 'FORBIDDEN'],
      [api('/messages?agentId=agt_none', { token: ADMIN_TOKEN }), 404, 'NOT_FOUND'],
    ];
    for (const [response, status, code] of cases) {
      const res = await response;
      expect(res.status, code).toBe(status);
      expect(await res.json()).toMatchObject({ error: { code }, requestId: expect.any(String) });
    }
  });

  it('lets the admin create agents over REST, with a token that works once created', async () => {
    const res = await api('/agents', { method: 'POST', token: ADMIN_TOKEN, body: JSON.stringify({ name: 'Made by admin', phone: '+15550100013' }) });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { agentId: string; token: string };
    expect((await api('/messages', { token: created.token })).status).toBe(200);
    const taken = await api('/agents', { method: 'POST', token: ADMIN_TOKEN, body: JSON.stringify({ name: 'Dup', phone: '+15550100013' }) });
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ error: { code: 'CONFLICT' } });
  });

  it('publishes an OpenAPI 3.1 document generated from the same schemas as the tools', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string; requestBody?: { content: Record<string, { schema: unknown }> } }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/messages']?.post?.operationId).toBe('comms_send_message');
    expect(doc.paths['/api/v1/messages']?.get?.operationId).toBe('comms_get_messages');
    expect(doc.paths['/api/v1/agents/{agentId}']?.patch?.operationId).toBe('comms_update_agent');
    const mcp = await connectHttpClient(server.url, agent.token);
    const { tools } = await mcp.listTools();
    await mcp.close();
    const send = tools.find((t) => t.name === 'comms_send_message')!;
    expect(doc.paths['/api/v1/messages']!.post!.requestBody!.content['application/json']!.schema).toEqual(send.inputSchema);
  });

  it('refuses MCP without a valid token, and binds a session to the agent that opened it', async () => {
    const init = {
      jsonrpc: '2.0', id: 1, method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    };
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const anonymous = await fetch(`${server.url}/mcp`, { method: 'POST', headers, body: JSON.stringify(init) });
    expect(anonymous.status).toBe(401);

    const client = await connectHttpClient(server.url, agent.token);
    const sessionId = (client.transport as { sessionId?: string }).sessionId;
    expect(sessionId).toBeTruthy();
    const hijack = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${other.token}`, 'mcp-session-id': sessionId!, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(hijack.status).toBe(403);
    expect(await hijack.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    await client.close();
  });
});
