import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk, connectHttpClient } from '../support/mcp-client.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/test-server.js';
import { DEFAULT_AGENT_BUDGET, toolListTokens } from '../../scripts/tools-tokens.js';

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

  it('shows an agent only the tools of the default toolsets an agent token may call, without the admin-only agentId field', () => {
    const useCases = server.app.runner.useCases;
    const offered = useCases.filter((u) => u.auth === 'agent' && ['messaging', 'calls', 'threads'].includes(u.toolset));
    expect(agentTools.map((t) => t.name).sort()).toEqual(offered.map((u) => u.name).sort());
    expect(agentTools.map((t) => t.name)).toEqual(expect.arrayContaining(['comms_send_message', 'comms_get_messages', 'comms_make_call', 'comms_get_call']));
    expect(agentTools.filter((t) => propertiesOf(t).includes('agentId')).map((t) => t.name)).toEqual([]);
    expect(agentTools.filter((t) => (t.inputSchema.required ?? []).includes('agentId')).map((t) => t.name)).toEqual([]);
    // Everything else of the schema is the tool's own.
    const send = agentTools.find((t) => t.name === 'comms_send_message')!;
    expect(propertiesOf(send)).toEqual(expect.arrayContaining(['channel', 'to', 'body', 'idempotencyKey']));
  });

  it('shows the admin token every tool, agentId included', () => {
    expect(adminTools.map((t) => t.name).sort()).toEqual(server.app.runner.useCases.map((u) => u.name).sort());
    expect(adminTools.filter((t) => propertiesOf(t).includes('agentId')).map((t) => t.name)).toEqual(expect.arrayContaining(['comms_send_message', 'comms_get_messages']));
    console.log(`tools/list tokens (o200k_base): agent, default toolsets ${toolListTokens(agentTools)}; admin, every tool with full schemas ${toolListTokens(adminTools)}`);
    expect(toolListTokens(agentTools)).toBeLessThan(toolListTokens(adminTools));
  });

  it('keeps the default agent tool list, as the client receives it, within its token budget', () => {
    expect(toolListTokens(agentTools)).toBeLessThanOrEqual(DEFAULT_AGENT_BUDGET);
  });

  it('validates every structured result against the brief output schema the agent was given', async () => {
    // The SDK client checks structuredContent against the listed outputSchema; a mismatch would throw here.
    const client = await connectHttpClient(server.url, agent.token);
    await callOk(client, 'comms_get_messages', { limit: 5 });
    await callOk(client, 'comms_list_calls', {});
    await client.close();
    const getMessages = agentTools.find((t) => t.name === 'comms_get_messages')!;
    expect(Object.keys(getMessages.outputSchema?.properties ?? {})).toEqual(['messages', 'nextCursor', 'untrustedFields']);
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

describe('MCP tool lists: server.mcp.toolsets and adminToolsets choose what each token is offered', () => {
  let server: TestServer;
  let agent: { token: string };

  beforeAll(async () => {
    server = await startTestServer({ extra: { server: { host: '127.0.0.1', port: 0, mcp: { toolsets: ['compliance', 'usage'], adminToolsets: ['agents'] } } } });
    agent = await server.createAgent({ name: 'Compliance bot', phone: '+15550100053' });
  });
  afterAll(() => server?.close());

  const namesAs = async (token: string): Promise<string[]> => {
    const client = await connectHttpClient(server.url, token);
    try {
      return (await client.listTools()).tools.map((t) => t.name).sort();
    } finally {
      await client.close();
    }
  };

  it('lists only the configured toolsets, each token within what it may call', async () => {
    const useCases = server.app.runner.useCases;
    expect(await namesAs(agent.token)).toEqual(useCases.filter((u) => u.auth === 'agent' && ['compliance', 'usage'].includes(u.toolset)).map((u) => u.name).sort());
    expect(await namesAs(ADMIN_TOKEN)).toEqual(useCases.filter((u) => u.toolset === 'agents').map((u) => u.name).sort());
  });

  it('refuses a toolset the config does not know, naming it', async () => {
    await expect(startTestServer({ extra: { server: { host: '127.0.0.1', port: 0, mcp: { toolsets: ['sms'] } } } })).rejects.toThrow(/server\.mcp\.toolsets/);
  });
});
