import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from '../../core/context.js';
import type { UseCase } from '../../core/use-case.js';
import { errorBody, toDomainError } from '../shared/error-mapping.js';
import type { UseCaseRunner } from '../shared/use-case-runner.js';

export const SERVER_INFO = { name: 'agentos-comms', version: '0.1.0' } as const;

/** The tool list is the same for every session: built once from the descriptors. */
export function toolsOf(useCases: readonly UseCase[]): Tool[] {
  return useCases.map((u) => ({
    name: u.name,
    title: u.title,
    description: u.description,
    inputSchema: u.input as Tool['inputSchema'],
    outputSchema: u.output as Tool['outputSchema'],
    annotations: { title: u.title, ...u.annotations },
  }));
}

/**
 * Runs a tool and shapes the result for MCP. Errors are `isError` results whose text is the JSON error
 * body (code, message, nextStep): structuredContent is reserved for results that match outputSchema.
 */
export async function callTool(runner: UseCaseRunner, caller: Caller, name: string, args: unknown): Promise<CallToolResult> {
  try {
    const output = (await runner.run(name, caller, args)) as Record<string, unknown>;
    return { content: [{ type: 'text', text: JSON.stringify(output) }], structuredContent: output };
  } catch (err) {
    const error = toDomainError(err);
    return { isError: true, content: [{ type: 'text', text: JSON.stringify(errorBody(error)) }] };
  }
}

/**
 * A low-level MCP `Server` (JSON Schema in, no Zod) for one session. `callerOf` tells who makes each
 * request: fixed for stdio, per HTTP request for Streamable HTTP.
 */
export function createMcpServer(runner: UseCaseRunner, tools: Tool[], callerOf: (authExtra: Record<string, unknown> | undefined) => Caller): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: { listChanged: false } },
    instructions:
      'Tools to communicate as this agent: send messages (comms_send_message) and read sent and received ones ' +
      '(comms_get_messages). Errors come back as isError results whose text is JSON with error.code and error.nextStep.',
  });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    callTool(runner, callerOf(extra.authInfo?.extra), request.params.name, request.params.arguments ?? {}),
  );
  return server;
}
