import { DomainError, isDomainError } from '../../ports/errors.js';
import type { CallLogRecord } from '../../ports/records.js';
import { actingAgent } from '../auth/authenticate.js';
import type { UseCaseContext } from '../context.js';
import { defineUseCase } from '../use-case.js';
import { CALL_UNTRUSTED, type CallView, callViewSchema, toCallView } from './call-view.js';
import { recordingView } from './call-recording.js';

export const getCall = defineUseCase<{ callId: string; agentId?: string }, CallView>({
  name: 'comms_get_call',
  title: 'Get a call',
  description: 'One of this agent\'s calls: status history, duration, price, recording, and a conversation\'s transcript.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['callId'],
    properties: {
      callId: { type: 'string', minLength: 1 },
      agentId: { type: 'string', minLength: 1, description: 'Only with the admin token.' },
    },
  },
  output: callViewSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'calls',
  untrusted: CALL_UNTRUSTED,
  rest: { method: 'GET', path: '/calls/:callId' },
  async run(ctx, input) {
    const call = await ownCall(ctx, input.callId, input.agentId);
    return toCallView(call, await ctx.ports.db.turns.list(call.id), await recordingView(ctx.ports, call));
  },
});

/** A call of the acting agent; NOT_FOUND for unknown calls and for other agents' calls alike. */
export async function ownCall(ctx: UseCaseContext, callId: string, agentId: string | undefined): Promise<CallLogRecord> {
  const call = await ctx.ports.db.calls.findById(callId);
  const notFound = () => new DomainError('NOT_FOUND', `Call ${callId} does not exist for this agent.`, 'Check the callId returned when the call was placed.', { callId });
  // Admins may omit agentId here: the call itself names its agent. Another customer's call is answered
  // as an unknown call, without naming its agent.
  const named = agentId ?? (ctx.caller.kind !== 'agent' ? call?.agentId : undefined);
  const agent = await actingAgent(ctx, named).catch((err: unknown) => {
    throw agentId === undefined && isDomainError(err) && err.code === 'NOT_FOUND' ? notFound() : err;
  });
  if (!call || call.agentId !== agent.id) throw notFound();
  return call;
}
