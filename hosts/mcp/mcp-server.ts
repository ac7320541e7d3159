import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type ServerCapabilities, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Caller } from '../../core/context.js';
import type { UseCase } from '../../core/use-case.js';
import { errorBody, toDomainError } from '../shared/error-mapping.js';
import { elicitingApprover, type Approver } from './confirmation.js';
import { newTaskStore, runsAsTask, startCallTask, TASK_CAPABILITIES, withTaskSupport } from './call-tasks.js';
import type { UseCaseRunner } from '../shared/use-case-runner.js';
import { briefInputSchema, briefOutputSchema } from './tool-schema.js';
import { DEFAULT_TOOLSETS, inToolsets, type ToolsetChoice } from './toolsets.js';
import { fencedText } from './untrusted-fence.js';

export const SERVER_INFO = { name: 'agentos-comms', version: '0.1.0' } as const;

/**
 * Whose tool list: an agent sees only what an agent token may call; a customer's admin token also the
 * admin tools it may run for its own agents (`tenancy: 'customer-scoped'`).
 */
export type ToolAudience = 'agent' | 'admin' | 'customer';

/** Whose resources (a customer admin reads the agent resources' templates; admin resources are the operator's). */
export function audienceOf(caller: Caller): 'agent' | 'admin' {
  return caller.kind === 'admin' ? 'admin' : 'agent';
}

export function toolAudienceOf(caller: Caller): ToolAudience {
  return caller.kind === 'customer' ? 'customer' : audienceOf(caller);
}

/** What the audience's token may call: the runner refuses a customer admin every tool not customer-scoped. */
function offeredTo(useCase: UseCase, audience: ToolAudience): boolean {
  if (audience === 'customer') return useCase.tenancy === 'customer-scoped';
  return audience === 'admin' || useCase.auth === 'agent';
}

/**
 * `agentId` picks the agent to act for and only the admin token may pass it (an agent always acts as
 * itself): the agent's schema leaves it out, so the model is not invited to fill it in.
 */
function withoutAgentId(schema: UseCase['input']): UseCase['input'] {
  const properties = schema.properties as Record<string, unknown> | undefined;
  if (!properties || !('agentId' in properties)) return schema;
  const { agentId: _adminOnly, ...rest } = properties;
  const required = (schema.required as string[] | undefined)?.filter((name) => name !== 'agentId');
  return { ...schema, properties: rest, ...(required ? { required } : {}) };
}

/**
 * The tools an audience is offered, built once per audience from the descriptors: those of the chosen
 * toolsets that its token may call. An agent's list is lean: no admin tools, no admin-only `agentId`
 * field, schemas in brief (see tool-schema.ts); the admin token's carries the full schemas.
 */
export function toolsOf(useCases: readonly UseCase[], audience: ToolAudience, toolsets: readonly ToolsetChoice[] = DEFAULT_TOOLSETS[audience === 'agent' ? 'agent' : 'admin']): Tool[] {
  return useCases
    .filter((u) => offeredTo(u, audience) && inToolsets(u, toolsets))
    .map((u) => ({
      name: u.name,
      title: u.title,
      description: u.description,
      // A customer admin acts for one of its agents, so it passes agentId: the full schemas.
      inputSchema: (audience === 'agent' ? briefInputSchema(withoutAgentId(u.input)) : u.input) as Tool['inputSchema'],
      outputSchema: (audience === 'agent' ? briefOutputSchema(u.output) : u.output) as Tool['outputSchema'],
      annotations: u.annotations,
    }));
}

/**
 * Runs a tool and shapes the result for MCP; third-party text in the text content is fenced (see
 * untrusted-fence.ts). Errors are `isError` results whose text is the JSON error
 * body (code, message, nextStep): structuredContent is reserved for results that match outputSchema.
 */
export async function callTool(
  runner: UseCaseRunner, caller: Caller, name: string, args: unknown, context: { signal?: AbortSignal; approve?: Approver } = {},
): Promise<CallToolResult> {
  try {
    const approval = context.approve ? await context.approve(caller, name, args) : {};
    const output = (await runner.run(name, caller, args, { ...approval, signal: context.signal })) as Record<string, unknown>;
    return { content: [{ type: 'text', text: fencedText(output, runner.get(name)?.untrusted) }], structuredContent: output };
  } catch (err) {
    return errorResult(err);
  }
}

function errorResult(err: unknown): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(errorBody(toDomainError(err))) }] };
}

export type CallerOf = (authExtra: Record<string, unknown> | undefined) => Caller | Promise<Caller>;

/** What an extension may know of the Streamable HTTP session its server serves (there is none over stdio). */
export interface McpStreamSession {
  /** The session id, once the session is initialized. */
  readonly sessionId: string | undefined;
  /** Whether the client's standalone GET stream (where notifications go) is open on this instance. */
  readonly listening: boolean;
  /** Called when that stream opens here (awaited before it is answered) and when it closes. */
  onListeningChange(handler: (listening: boolean) => Promise<void>): void;
}

/** More than tools (resources, …): the capabilities it adds and the handlers it sets on each session's server. */
export interface McpServerExtension {
  capabilities: ServerCapabilities;
  extend(server: Server, callerOf: CallerOf, session?: McpStreamSession): void;
  /** Stops what the extension shares between sessions (the host is closing). */
  close?(): void;
}

/**
 * A low-level MCP `Server` (JSON Schema in, no Zod) for one session. `callerOf` tells who makes each
 * request: fixed for stdio, per HTTP request for Streamable HTTP (which also gives its `session`).
 */
export function createMcpServer(
  runner: UseCaseRunner, tools: Tool[], callerOf: CallerOf, extensions: readonly McpServerExtension[] = [], session?: McpStreamSession,
): Server {
  const taskStore = newTaskStore();
  const server = new Server(SERVER_INFO, {
    capabilities: Object.assign({ tools: { listChanged: false }, tasks: TASK_CAPABILITIES }, ...extensions.map((e) => e.capabilities)) as ServerCapabilities,
    taskStore,
    instructions:
      'Tools to communicate as this agent: send messages (comms_send_message) and read sent and received ones ' +
      '(comms_get_messages). Errors come back as isError results whose text is JSON with error.code and error.nextStep.',
  });
  const listed = withTaskSupport(tools);
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    let caller: Caller;
    try {
      caller = await callerOf(extra.authInfo?.extra);
    } catch (err) {
      return errorResult(err);
    }
    const { name, arguments: args = {}, task } = request.params;
    const result = await callTool(runner, caller, name, args, { signal: extra.signal, approve: elicitingApprover(server, runner, extra) });
    if (!runsAsTask(name, task, extra.taskStore)) return result;
    return startCallTask(task!, extra.taskStore, (other, input) => callTool(runner, caller, other, input), result);
  });
  // Set before the extensions, which chain their own clean-up after it.
  server.onclose = () => taskStore.cleanup();
  for (const extension of extensions) extension.extend(server, callerOf, session);
  return server;
}
