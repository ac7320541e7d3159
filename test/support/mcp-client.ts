import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** An MCP SDK Client connected over Streamable HTTP with a bearer token. */
export async function connectHttpClient(baseUrl: string, token: string): Promise<Client> {
  const client = new Client({ name: 'agentos-comms-tests', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

/** The error body of an isError tool result (text content is JSON: { error: { code, … } }). */
export function toolError(result: CallToolResult): { code: string; message: string; nextStep: string | null; details: Record<string, unknown> } {
  if (!result.isError) throw new Error(`expected an error result, got ${JSON.stringify(result.structuredContent)}`);
  const first = result.content[0];
  if (first?.type !== 'text') throw new Error('error result without text content');
  return (JSON.parse(first.text) as { error: { code: string; message: string; nextStep: string | null; details: Record<string, unknown> } }).error;
}

export async function callOk<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown>): Promise<T> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) throw new Error(`tool ${name} failed: ${JSON.stringify(toolError(result))}`);
  return result.structuredContent as T;
}

export async function callErr(client: Client, name: string, args: Record<string, unknown>): Promise<ReturnType<typeof toolError>> {
  return toolError((await client.callTool({ name, arguments: args })) as CallToolResult);
}
