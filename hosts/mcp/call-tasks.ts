import { InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js';
import type { RequestTaskStore } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, CreateTaskResult, ServerCapabilities, TaskMetadata, Tool } from '@modelcontextprotocol/sdk/types.js';
import { FINAL_CALL_STATUSES, type CallStatus } from '../../ports/calls.js';

/**
 * MCP Tasks (experimental in SDK 1.x) for `comms_make_call`: a client that asks for a task gets one at
 * once, and its result is the finished call with its transcript (what comms_get_call returns once the
 * call has ended), so it needs no polling loop of its own. Without the task, the tool answers at once
 * as before. Tasks live with the session's server, in memory.
 */
const TASK_TOOLS = new Set(['comms_make_call']);

/** How long a finished task's result is kept when the client asks for no TTL, or a longer one. */
const MAX_TTL_MS = 60 * 60_000;
const POLL_MS = 1000;

export const TASK_CAPABILITIES: ServerCapabilities['tasks'] = { list: {}, cancel: {}, requests: { tools: { call: {} } } };

export function newTaskStore(): InMemoryTaskStore {
  return new InMemoryTaskStore();
}

/** Tools that may run as a task say so in tools/list (`execution.taskSupport`). */
export function withTaskSupport(tools: Tool[]): Tool[] {
  return tools.map((tool) => (TASK_TOOLS.has(tool.name) ? { ...tool, execution: { taskSupport: 'optional' } } : tool));
}

export function runsAsTask(name: string, task: TaskMetadata | undefined, store: RequestTaskStore | undefined): store is RequestTaskStore {
  return task !== undefined && store !== undefined && TASK_TOOLS.has(name);
}

/**
 * Answers a task-augmented call with its task. The call was placed already (it answers at once, and a
 * person's approval had to be asked on the request's own stream); it is followed until it ends, then
 * the task holds the finished call, or the tool's error as a failed task. Cancelling the task ends the call.
 */
export async function startCallTask(task: TaskMetadata, store: RequestTaskStore, tool: ToolCaller, placed: CallToolResult): Promise<CreateTaskResult> {
  const { taskId } = await store.createTask({ ttl: Math.min(task.ttl ?? MAX_TTL_MS, MAX_TTL_MS), pollInterval: POLL_MS });
  if (placed.isError) {
    await store.storeTaskResult(taskId, 'failed', placed);
  } else {
    const callId = String((placed.structuredContent as { callId: string }).callId);
    // The result keeps the tool's output schema: the finished call, with the usage reserved when it was placed.
    const { usage } = placed.structuredContent as { usage: unknown };
    void untilEnded(tool, callId, store, taskId)
      .then((finished) => finished && store.storeTaskResult(
        taskId, finished.isError ? 'failed' : 'completed',
        finished.isError ? finished : { ...finished, structuredContent: { ...finished.structuredContent, usage } },
      ))
      // The task expired (its TTL) or the session closed: nobody is left to read it.
      .catch(() => store.updateTaskStatus(taskId, 'failed', 'Following the call failed; see comms_get_call.').catch(() => {}));
  }
  return { task: await store.getTask(taskId) };
}

/** Runs another tool for the same caller, shaped as an MCP result (untrusted text fenced as for any call). */
export type ToolCaller = (name: string, args: Record<string, unknown>) => Promise<CallToolResult>;

/**
 * Polls the call until it ends and returns comms_get_call's result then; null when the task was
 * cancelled meanwhile (the call is then ended).
 */
async function untilEnded(tool: ToolCaller, callId: string, store: RequestTaskStore, taskId: string): Promise<CallToolResult | null> {
  for (;;) {
    const view = await tool('comms_get_call', { callId });
    const status = (view.structuredContent as { status?: CallStatus } | undefined)?.status;
    if (view.isError || (status && FINAL_CALL_STATUSES.includes(status))) return view;
    if ((await store.getTask(taskId)).status === 'cancelled') {
      await tool('comms_end_call', { callId });
      return null;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
