import type { CallControlAction } from '../../ports/call-control.js';
import { DomainError } from '../../ports/errors.js';
import { isFinal } from '../calls/call-progress.js';
import { CALL_UNTRUSTED, type CallView, callViewSchema, toCallView } from '../calls/call-view.js';
import { ownCall } from '../calls/get-call.js';
import { requireTelephony } from '../context.js';
import { requireE164 } from '../phone-number.js';
import { defineUseCase } from '../use-case.js';
import type { LiveCallRegistry } from './live-call-registry.js';

export const transferCall = defineUseCase<{ callId: string; to: string; agentId?: string }, CallView>({
  name: 'comms_transfer_call',
  title: 'Transfer a live call to a person',
  description:
    'Hand a live AI conversation to a person: the agent stops speaking and the caller is connected to `to`. Returns the call as comms_get_call does.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['callId', 'to'],
    properties: {
      callId: { type: 'string', minLength: 1 },
      to: { type: 'string', minLength: 1, maxLength: 32, description: 'E.164 number.' },
      agentId: { type: 'string', minLength: 1, description: 'Only with the admin token.' },
    },
  },
  output: callViewSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'calls',
  untrusted: CALL_UNTRUSTED,
  rest: { method: 'POST', path: '/calls/:callId/transfer' },
  async run(ctx, input) {
    const to = requireE164(ctx.ports.phoneNumbers, input.to, 'to');
    const call = await ownCall(ctx, input.callId, input.agentId);
    const action = { kind: 'transfer', to } as const;
    if (!actOnLiveCall(ctx.ports.liveCalls, call.id, action) && (isFinal(call.status) || !(await ctx.ports.callControl.forward(call.id, action)))) {
      throw new DomainError('CONFLICT', 'The call has no live conversation on any server.', 'Only a call in conversation can be transferred; check its status with comms_get_call.', { callId: call.id });
    }
    return toCallView(call);
  },
});

export const endCall = defineUseCase<{ callId: string; agentId?: string }, CallView>({
  name: 'comms_end_call',
  title: 'End a call',
  description: 'Hang up one of this agent\'s calls, live, ringing or playing. Returns the call as comms_get_call does.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['callId'],
    properties: { callId: { type: 'string', minLength: 1 }, agentId: { type: 'string', minLength: 1, description: 'Only with the admin token.' } },
  },
  output: callViewSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'calls',
  untrusted: CALL_UNTRUSTED,
  rest: { method: 'POST', path: '/calls/:callId/end' },
  async run(ctx, input) {
    const call = await ownCall(ctx, input.callId, input.agentId);
    const action = { kind: 'hang-up' } as const;
    if (actOnLiveCall(ctx.ports.liveCalls, call.id, action) || isFinal(call.status)) return toCallView(call);
    // Live on another server: its conversation hangs up (and records how the call ended); else the provider does.
    if (!(await ctx.ports.callControl.forward(call.id, action)) && call.providerCallId) {
      await requireTelephony(ctx.ports).port.calls?.hangUp(call.providerCallId);
    }
    return toCallView(call);
  },
});

/** Acts on a conversation held by this process; false when it holds none for `callId`. */
export function actOnLiveCall(liveCalls: LiveCallRegistry, callId: string, action: CallControlAction): boolean {
  const live = liveCalls.get(callId);
  if (!live) return false;
  if (action.kind === 'transfer') live.transfer(action.to);
  else live.hangUp();
  return true;
}
