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
      [api('/no-such-route', { token: agent.token }), 404, 'NOT_FOUND'],
      [fetch(`${server.url}/nowhere`, { method: 'POST' }), 404, 'NOT_FOUND'],
      [api('/agents', { method: 'POST', token: ADMIN_TOKEN, headers: { 'idempotency-key': 'k1' }, body: JSON.stringify({ name: 'x' }) }), 400, 'INVALID_INPUT'],
    ];
    for (const [response, status, code] of cases) {
      const res = await response;
      expect(res.status, code).toBe(status);
      expect(await res.json()).toMatchObject({ error: { code }, requestId: expect.any(String) });
    }
  });

  it('takes the Idempotency-Key header on POSTs as the alternative to the body\'s idempotencyKey', async () => {
    const send = (headers: Record<string, string>, extra: Record<string, unknown> = {}) =>
      api('/messages', { method: 'POST', token: agent.token, headers, body: JSON.stringify({ channel: 'sms', to: '+15550100171', body: 'once', ...extra }) });
    const first = (await (await send({ 'idempotency-key': 'order-77' })).json()) as { messageId: string; idempotentReplay: boolean };
    const again = (await (await send({ 'idempotency-key': 'order-77' })).json()) as { messageId: string; idempotentReplay: boolean };
    expect(again).toMatchObject({ messageId: first.messageId, idempotentReplay: true });
    const inBody = (await (await send({}, { idempotencyKey: 'order-77' })).json()) as { messageId: string };
    expect(inBody.messageId).toBe(first.messageId);
    const both = await send({ 'idempotency-key': 'order-78' }, { idempotencyKey: 'order-79' });
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({ error: { code: 'INVALID_INPUT', details: { field: 'idempotencyKey' } } });
  });

  it('lets the admin create agents over REST, with a token that works once created', async () => {
    const res = await api('/agents', { method: 'POST', token: ADMIN_TOKEN, body: JSON.stringify({ name: 'Made by admin', phone: '+15550100019' }) });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { agentId: string; token: string };
    expect((await api('/messages', { token: created.token })).status).toBe(200);
    const taken = await api('/agents', { method: 'POST', token: ADMIN_TOKEN, body: JSON.stringify({ name: 'Dup', phone: '+15550100019' }) });
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ error: { code: 'CONFLICT' } });
  });

  it('lets the admin list agents and rotate a token: the old one is refused at once, the new one works', async () => {
    const made = (await (await api('/agents', { method: 'POST', token: ADMIN_TOKEN, body: JSON.stringify({ name: 'Rotating' }) })).json()) as { agentId: string; token: string };
    const { agents } = (await (await api('/agents', { token: ADMIN_TOKEN })).json()) as { agents: Array<{ agentId: string }> };
    expect(agents.map((a) => a.agentId)).toEqual(expect.arrayContaining([agent.agentId, made.agentId]));
    expect((await api('/agents', { token: agent.token })).status).toBe(403);
    // Used before the rotation, so that the server holds the token's caller (agent-cache.ts).
    expect((await api('/agent', { token: made.token })).status).toBe(200);
    const rotated = await api(`/agents/${made.agentId}/token`, { method: 'POST', token: ADMIN_TOKEN, body: '{}' });
    expect(rotated.status).toBe(200);
    const { token } = (await rotated.json()) as { token: string };
    expect((await api('/agent', { token: made.token })).status).toBe(401);
    expect((await api('/agent', { token })).status).toBe(200);
  });

  it('publishes an OpenAPI 3.1 document generated from the same schemas as the tools', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string; requestBody?: { content: Record<string, { schema: unknown }> } }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/messages']?.post?.operationId).toBe('comms_send_message');
    expect(doc.paths['/api/v1/messages']?.get?.operationId).toBe('comms_get_messages');
    expect(doc.paths['/api/v1/agents/{agentId}']?.patch?.operationId).toBe('comms_update_agent');
    // The admin token's tool list carries the full schemas (an agent's leaves out the admin-only agentId).
    const mcp = await connectHttpClient(server.url, ADMIN_TOKEN);
    const { tools } = await mcp.listTools();
    await mcp.close();
    const send = tools.find((t) => t.name === 'comms_send_message')!;
    expect(doc.paths['/api/v1/messages']!.post!.requestBody!.content['application/json']!.schema).toEqual(send.inputSchema);
  });

  it('lists the error responses of every operation, and the Idempotency-Key header where it applies', async () => {
    type Operation = { operationId: string; responses: Record<string, { description: string }>; parameters: Array<{ name: string; in: string }> };
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    const operations = Object.values(doc.paths).flatMap((byMethod) => Object.values(byMethod));
    expect(operations.length).toBeGreaterThan(10);
    for (const operation of operations) {
      expect(Object.keys(operation.responses), operation.operationId).toEqual(expect.arrayContaining(['400', '401', '403', '404', '409', '422', '429', '500', '502', '503', '504']));
      expect(operation.responses['401']!.description).toContain('UNAUTHORIZED');
    }
    const send = doc.paths['/api/v1/messages']!.post!;
    expect(send.responses['400']!.description).toContain('INVALID_PHONE_NUMBER');
    expect(send.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }));
    expect(doc.paths['/api/v1/agents']!.post!.parameters.some((p) => p.name === 'Idempotency-Key')).toBe(false);
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
  it('reads a sending agent and its address once, with its token, and sees an address change at once', async () => {
    const agents = server.app.ports.db.agents;
    const reads: string[] = [];
    const spied = { findById: agents.findById, findChannel: agents.findChannel, findByTokenHash: agents.findByTokenHash };
    agents.findById = (id) => { reads.push('findById'); return spied.findById.call(agents, id); };
    agents.findChannel = (id, channel) => { reads.push('findChannel'); return spied.findChannel.call(agents, id, channel); };
    agents.findByTokenHash = (hash) => { reads.push('findByTokenHash'); return spied.findByTokenHash.call(agents, hash); };
    const send = () => api('/messages', { method: 'POST', token: agent.token, body: JSON.stringify({ channel: 'sms', to: '+15550100171', body: 'one lookup' }) });
    try {
      const first = await send();
      expect(first.status).toBe(201);
      expect(await first.json()).toMatchObject({ from: '+15550100011' });
      // One lookup at most (none when an earlier request of this token left its caller in the cache).
      expect(reads.filter((r) => r !== 'findByTokenHash')).toEqual([]);
      expect(reads.length).toBeLessThanOrEqual(1);
      reads.length = 0;
      expect((await send()).status).toBe(201);
      expect(reads).toEqual([]);

      const moved = await api(`/agents/${agent.agentId}`, { method: 'PATCH', token: ADMIN_TOKEN, body: JSON.stringify({ phone: '+15550100018' }) });
      expect(moved.status).toBe(200);
      expect(await (await send()).json()).toMatchObject({ from: '+15550100018' });
    } finally {
      Object.assign(agents, spied);
      await api(`/agents/${agent.agentId}`, { method: 'PATCH', token: ADMIN_TOKEN, body: JSON.stringify({ phone: '+15550100011' }) });
    }
  });
});
