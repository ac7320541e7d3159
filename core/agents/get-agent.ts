import { actingAgent } from '../auth/authenticate.js';
import { defineUseCase } from '../use-case.js';
import { type AgentView, agentViewSchema, toAgentView } from './agent-view.js';

export const getAgent = defineUseCase<{ agentId?: string }, AgentView>({
  name: 'comms_get_agent',
  title: 'Get agent profile',
  description: 'The calling agent\'s profile: its name, callback URL and its own addresses per channel (phone number, email address, WhatsApp sender).',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: { agentId: { type: 'string', minLength: 1, description: 'Only with the admin token: the agent to show.' } },
  },
  output: agentViewSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'GET', path: '/agent' },
  async run(ctx, input) {
    const agent = await actingAgent(ctx, input.agentId);
    return toAgentView(agent, await ctx.ports.db.agents.listChannels(agent.id));
  },
});
