import { actingAgent, requireAdmin } from '../auth/authenticate.js';
import { defineUseCase } from '../use-case.js';
import { audited } from '../audit/record-audit.js';

export const rotateAgentToken = defineUseCase<{ agentId: string }, { agentId: string; token: string }>({
  name: 'comms_rotate_agent_token',
  title: 'Rotate an agent\'s token',
  description:
    'Admin only. Give an agent a new bearer token. The old token stops working at once (over HTTP and stdio); ' +
    'the new one is returned once and cannot be shown again.',
  input: { type: 'object', additionalProperties: false, required: ['agentId'], properties: { agentId: { type: 'string', minLength: 1 } } },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['agentId', 'token'],
    properties: { agentId: { type: 'string' }, token: { type: 'string' } },
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'POST', path: '/agents/:agentId/token' },
  async run(ctx, input) {
    requireAdmin(ctx);
    const agent = await actingAgent(ctx, input.agentId);
    const token = ctx.ports.secrets.generate('aoc_');
    await audited(ctx, { action: 'agent.token.rotate', agentId: agent.id }, async (tx) => {
      await tx.agents.update(agent.id, { tokenHash: ctx.ports.secrets.hash(token), updatedAt: ctx.ports.clock.now() });
      return { result: undefined };
    });
    await ctx.ports.anomalies.observeTokenRotation(agent.id);
    return { agentId: agent.id, token };
  },
});
