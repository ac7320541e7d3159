import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, CreateTaskResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/callback-receiver.js';
import { callOk, connectHttpClient } from '../support/mcp-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

interface CallView { callId: string; status: string; transcript: Array<{ speaker: string; text: string }>; usage: unknown }

const SALES = '+15550100171';
const CLINIC = '+15550100172';

/** Every message of a tool call run as a task, in order (taskCreated, taskStatus…, result or error). */
async function asTask(client: Client, name: string, args: Record<string, unknown>) {
  const messages = [];
  for await (const message of client.experimental.tasks.callToolStream({ name, arguments: args }, undefined, { task: { ttl: 60_000 } })) messages.push(message);
  return messages;
}

describe('comms_make_call as an MCP task (SDK experimental Tasks): the result is the finished call with its transcript', () => {
  let server: TestServer;
  let sales: Client;

  beforeAll(async () => {
    // An agent-to-agent call with the demo brain: it runs to its end without a phone network.
    server = await startTestServer({ extra: { brain: { use: 'mock', options: { tokenDelayMs: 1 } } } });
    const caller = await server.createAgent({ name: 'Sales', phone: SALES });
    await server.createAgent({ name: 'Clinic', phone: CLINIC });
    sales = await connectHttpClient(server.url, caller.token);
  });
  afterAll(async () => {
    await sales?.close();
    await server?.close();
  });

  it('declares task support on comms_make_call only, and the tasks capability', async () => {
    const { tools } = await sales.listTools();
    expect(tools.filter((t) => t.execution?.taskSupport).map((t) => [t.name, t.execution!.taskSupport])).toEqual([['comms_make_call', 'optional']]);
    expect(sales.getServerCapabilities()?.tasks?.requests?.tools?.call).toEqual({});
  });

  it('answers with a task at once; its result is the completed call, transcript included, in the tool\'s output schema', async () => {
    const messages = await asTask(sales, 'comms_make_call', { to: CLINIC, purpose: 'Book a demo for next week.' });
    expect(messages[0]).toMatchObject({ type: 'taskCreated', task: { status: 'working' } });
    const last = messages.at(-1)!;
    expect(last.type).toBe('result');
    const call = (last as { result: CallToolResult }).result.structuredContent as unknown as CallView;
    expect(call.status).toBe('completed');
    expect(call.transcript.length).toBeGreaterThanOrEqual(2);
    expect(call.transcript[0]).toMatchObject({ speaker: 'caller' });
    expect(call).toHaveProperty('usage');
    const taskId = (messages[0] as { task: { taskId: string } }).task.taskId;
    expect(await sales.experimental.tasks.getTask(taskId)).toMatchObject({ status: 'completed' });
  });

  it('a call refused when placed is a failed task whose stored result is the tool\'s error', async () => {
    const messages = await asTask(sales, 'comms_make_call', { to: 'not a number', purpose: 'x' });
    expect([messages[0]!.type, messages.at(-1)!.type]).toEqual(['taskCreated', 'error']);
    const taskId = (messages[0] as { task: { taskId: string } }).task.taskId;
    expect(await sales.experimental.tasks.getTask(taskId)).toMatchObject({ status: 'failed' });
    const result = (await sales.experimental.tasks.getTaskResult(taskId, CallToolResultSchema)) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(JSON.parse((result.content[0] as { text: string }).text)).toMatchObject({ error: { code: 'INVALID_PHONE_NUMBER' } });
  });

  it('without a task the tool still answers at once with the placed call', async () => {
    const placed = (await sales.callTool({ name: 'comms_make_call', arguments: { to: CLINIC, purpose: 'Ask about prices.' } })) as CallToolResult;
    expect(placed.isError).toBeFalsy();
    expect((placed.structuredContent as unknown as CallView).status).not.toBe('completed');
  });
});

describe('cancelling a comms_make_call task', () => {
  let server: TestServer;
  let sales: Client;

  beforeAll(async () => {
    // A brain that takes ten seconds a word: the call cannot end on its own while the test runs.
    server = await startTestServer({ extra: { brain: { use: 'mock', options: { tokenDelayMs: 10_000 } } } });
    const caller = await server.createAgent({ name: 'Sales', phone: SALES });
    await server.createAgent({ name: 'Clinic', phone: CLINIC });
    sales = await connectHttpClient(server.url, caller.token);
    await sales.listTools();
  });
  afterAll(async () => {
    await sales?.close();
    await server?.close();
  });

  it('ends the call', async () => {
    const { task } = await sales.request(
      { method: 'tools/call', params: { name: 'comms_make_call', arguments: { to: CLINIC, purpose: 'Book a demo.' }, task: { ttl: 60_000 } } },
      CreateTaskResultSchema,
    );
    const { calls: [call] } = await callOk<{ calls: CallView[] }>(sales, 'comms_list_calls', {});
    expect(call!.status).not.toBe('completed');
    await sales.experimental.tasks.cancelTask(task.taskId);
    expect(await sales.experimental.tasks.getTask(task.taskId)).toMatchObject({ status: 'cancelled' });
    const ended = await eventually(async () => {
      const view = (await sales.callTool({ name: 'comms_get_call', arguments: { callId: call!.callId } })) as CallToolResult;
      const status = (view.structuredContent as unknown as CallView).status;
      return status === 'completed' ? status : undefined;
    }, 20_000);
    expect(ended).toBe('completed');
  });
});
