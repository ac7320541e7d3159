import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk, connectHttpClient } from '../support/mcp-client.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';

const propertiesOf = (tool: Tool): string[] => Object.keys(tool.inputSchema.properties ?? {});

describe('MCP tool lists: each token sees what it may call, with truthful hints (demo provider)', () => {
  let server: TestServer;
  let agent: { agentId: string; token: string };
  let agentTools: Tool[];
  let adminTools: Tool[];

  const listAs = async (token: string): Promise<Tool[]> => {
    const client = await connectHttpClient(server.url, token);
    try {
      return (await client.listTools()).tools;
    } finally {
      await client.close();
    }
  };

  beforeAll(async () => {
    server = await startTestServer();
    agent = await server.createAgent({ name: 'Lister', phone: '+15550100051' });
    [agentTools, adminTools] = await Promise.all([listAs(agent.token), listAs(ADMIN_TOKEN)]);
  });
  afterAll(() => server?.close());

  it('shows an agent only the tools an agent token may call, without the admin-only agentId field', () => {
    const useCases = server.app.runner.useCases;
    expect(agentTools.map((t) => t.name).sort()).toEqual(useCases.filter((u) => u.auth === 'agent').map((u) => u.name).sort());
    expect(agentTools.filter((t) => propertiesOf(t).includes('agentId')).map((t) => t.name)).toEqual([]);
    expect(agentTools.filter((t) => (t.inputSchema.required ?? []).includes('agentId')).map((t) => t.name)).toEqual([]);
    // Everything else of the schema is the tool's own.
    const send = agentTools.find((t) => t.name === 'comms_send_message')!;
    expect(propertiesOf(send)).toEqual(expect.arrayContaining(['channel', 'to', 'body', 'idempotencyKey']));
  });

  it('shows the admin token every tool, agentId included', () => {
    expect(adminTools.map((t) => t.name).sort()).toEqual(server.app.runner.useCases.map((u) => u.name).sort());
    expect(adminTools.filter((t) => propertiesOf(t).includes('agentId')).map((t) => t.name)).toEqual(expect.arrayContaining(['comms_send_message', 'comms_get_messages']));
    const tokens = (tools: Tool[]) => Math.round(JSON.stringify({ tools }).length / 4);
    console.log(`tools/list, approx. tokens (JSON chars / 4): agent ${tokens(agentTools)}, admin (every tool, as every token saw before) ${tokens(adminTools)}`);
    expect(tokens(agentTools)).toBeLessThan(tokens(adminTools));
  });

  it('still lets the admin act for an agent through agentId, and an agent as itself', async () => {
    const admin = await connectHttpClient(server.url, ADMIN_TOKEN);
    const asAdmin = await callOk<{ messages: unknown[] }>(admin, 'comms_get_messages', { agentId: agent.agentId, limit: 1 });
    await admin.close();
    expect(asAdmin.messages).toEqual(expect.any(Array));
  });

  it('does not mark comms_send_message idempotent: two calls without idempotencyKey send twice', async () => {
    const send = agentTools.find((t) => t.name === 'comms_send_message')!;
    expect(send.annotations?.idempotentHint).toBe(false);
    const client = await connectHttpClient(server.url, agent.token);
    const message = { channel: 'sms', to: '+15550100152', body: 'Same text twice' };
    const first = await callOk<{ messageId: string }>(client, 'comms_send_message', message);
    const second = await callOk<{ messageId: string }>(client, 'comms_send_message', message);
    expect(second.messageId).not.toBe(first.messageId);
    const listed = await callOk<{ messages: Array<{ id: string }> }>(client, 'comms_get_messages', { direction: 'outbound', limit: 10 });
    expect(listed.messages.map((m) => m.id)).toEqual(expect.arrayContaining([first.messageId, second.messageId]));
    // With a key a repeat is safe, which the description (not the hint) promises.
    const keyed = { ...message, idempotencyKey: 'same-key-1' };
    const once = await callOk<{ messageId: string }>(client, 'comms_send_message', keyed);
    const again = await callOk<{ messageId: string; idempotentReplay: boolean }>(client, 'comms_send_message', keyed);
    expect(again).toMatchObject({ messageId: once.messageId, idempotentReplay: true });
    await client.close();
  });

  it('marks no tool idempotent whose repeats are only made safe by an idempotencyKey', () => {
    const keyed = adminTools.filter((t) => propertiesOf(t).includes('idempotencyKey'));
    expect(keyed.map((t) => t.name)).toContain('comms_send_message');
    expect(keyed.filter((t) => t.annotations?.idempotentHint !== false).map((t) => t.name)).toEqual([]);
  });
});
