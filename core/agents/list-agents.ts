import { requireAdmin } from '../auth/authenticate.js';
import { customerScope } from '../auth/tenancy.js';
import { defineUseCase } from '../use-case.js';
import { type AgentView, agentViewSchema, toAgentView } from './agent-view.js';

export const listAgents = defineUseCase<Record<string, never>, { agents: AgentView[] }>({
  name: 'comms_list_agents',
  title: 'List agents',
  description: 'Admin only. Every agent (a customer admin: its own), oldest first, with its status, callback URL and addresses per channel.',
  input: { type: 'object', additionalProperties: false, properties: {} },
  output: { type: 'object', additionalProperties: false, required: ['agents'], properties: { agents: { type: 'array', items: agentViewSchema } } },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'agents',
  rest: { method: 'GET', path: '/agents' },
  async run(ctx) {
    requireAdmin(ctx);
    const { db } = ctx.ports;
    const agents = await db.agents.list({ customerId: customerScope(ctx.caller) });
    return { agents: await Promise.all(agents.map(async (agent) => toAgentView(agent, await db.agents.listChannels(agent.id)))) };
  },
});
