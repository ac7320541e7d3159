import { actingAgent, requireAdmin } from '../auth/authenticate.js';
import { defineUseCase } from '../use-case.js';

export const resumeAgentSending = defineUseCase<{ agentId: string }, { agentId: string; wasSuspended: string | null }>({
  name: 'comms_resume_agent_sending',
  title: 'Resume a suspended agent\'s sending',
  description:
    'Admin only. Lift the suspension the anomaly detector put on an agent\'s sending (AGENT_SUSPENDED), after ' +
    'reviewing what it reported. Its activity counts start afresh. Returns the finding that had suspended it, or null.',
  input: { type: 'object', additionalProperties: false, required: ['agentId'], properties: { agentId: { type: 'string', minLength: 1 } } },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['agentId', 'wasSuspended'],
    properties: { agentId: { type: 'string' }, wasSuspended: { type: ['string', 'null'] } },
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'POST', path: '/agents/:agentId/resume' },
  async run(ctx, input) {
    requireAdmin(ctx);
    const agent = await actingAgent(ctx, input.agentId);
    await ctx.ports.db.agents.update(agent.id, { sendingSuspended: null, updatedAt: ctx.ports.clock.now() });
    ctx.ports.anomalies.forget(agent.id);
    return { agentId: agent.id, wasSuspended: agent.sendingSuspended ?? null };
  },
});
