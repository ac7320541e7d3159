import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callErr, callOk, connectHttpClient } from '../support/mcp-client.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';
import { usageConfig } from '../support/usage-config.js';

describe('limits end to end over MCP', () => {
  let server: TestServer;
  let agent: Client;
  let admin: Client;
  let agentId: string;

  beforeAll(async () => {
    // The agent is offered the usage toolset besides the default ones, to read its own standing.
    server = await startTestServer({ extra: { ...usageConfig({ spend: { perDay: '0.02' } }), server: { host: '127.0.0.1', port: 0, mcp: { toolsets: ['messaging', 'calls', 'threads', 'usage'] } } } });
    const created = await server.createAgent({ name: 'budgeted', phone: '+15550100099' });
    agentId = created.agentId;
    agent = await connectHttpClient(server.url, created.token);
    admin = await connectHttpClient(server.url, ADMIN_TOKEN);
  });
  afterAll(async () => {
    await agent?.close();
    await admin?.close();
    await server?.close();
  });

  it('tells the agent what costs money before it acts', async () => {
    const { tools } = await agent.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t.description ?? '']));
    for (const name of ['comms_send_message', 'comms_send_voice_message', 'comms_make_call']) expect(byName[name]).toMatch(/Costs money/);
    expect(byName.comms_get_usage).toMatch(/Costs nothing/);
  });

  it('an agent hits its daily cap, gets SPENDING_CAP_REACHED with the next reset time, the admin raises it, the next send goes out', async () => {
    const send = { channel: 'sms', to: '+15550100001', body: 'Your table is ready.' };
    const first = await callOk<{ usage: { estimatedPrice: string } }>(agent, 'comms_send_message', send);
    expect(first.usage.estimatedPrice).toBe('0.010000');
    await callOk(agent, 'comms_send_message', send);
    const refused = await callErr(agent, 'comms_send_message', send);
    const tomorrow = new Date();
    tomorrow.setUTCHours(24, 0, 0, 0);
    expect(refused.code).toBe('SPENDING_CAP_REACHED');
    expect(refused.details).toMatchObject({ resetAt: tomorrow.toISOString(), window: 'day' });
    expect(refused.nextStep).toContain(tomorrow.toISOString());
    const usage = await callOk<{ standings: Array<{ limit: string; remaining: string }> }>(agent, 'comms_get_usage', {});
    expect(usage.standings.find((s) => s.limit === 'spend:day')?.remaining).toBe('0.000000');

    expect((await callErr(agent, 'comms_set_agent_limits', { agentId, overrides: { spend: { perDay: '5' } } })).code).toBe('FORBIDDEN');
    await callOk(admin, 'comms_set_agent_limits', { agentId, overrides: { spend: { perDay: '5' } } });
    await callOk(agent, 'comms_send_message', send);
    const dashboard = await callOk<{ refusals: Array<{ code: string; count: number }> }>(admin, 'comms_get_usage_dashboard', {});
    expect(dashboard.refusals).toEqual([{ code: 'SPENDING_CAP_REACHED', count: 1 }]);
  });

  it('answers REST with 429 and Retry-After from the same refusal', async () => {
    await server.app.runner.run('comms_set_agent_limits', { kind: 'admin' }, { agentId, overrides: { spend: { perDay: '0' } } });
    const res = await fetch(`${server.url}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agentId, channel: 'sms', to: '+15550100001', body: 'hi' }),
    });
    const body = (await res.json()) as { error: { code: string; details: { retryAfterSeconds: number } } };
    expect(res.status).toBe(429);
    expect(body.error.code).toBe('SPENDING_CAP_REACHED');
    expect(res.headers.get('retry-after')).toBe(String(body.error.details.retryAfterSeconds));
  });
});
