import { actingAgent, requireAdmin } from '../auth/authenticate.js';
import { defineUseCase } from '../use-case.js';
import { audited } from '../audit/record-audit.js';
import { effectiveLimits, tierNamed } from './effective-limits.js';
import { tierLimitsSchema } from './tier-limits-schema.js';
import type { TierLimits } from './usage-settings.js';
import { type AgentLimitsView, agentLimitsViewSchema, toAgentLimitsView } from './agent-limits-view.js';

export interface SetAgentLimitsInput {
  agentId: string;
  /** The tier the agent belongs to; null puts it back in the default tier. */
  tier?: string | null;
  /** The agent's own overrides of its tier, replacing any earlier ones ({} removes them). */
  overrides?: TierLimits;
}

export const setAgentLimits = defineUseCase<SetAgentLimitsInput, AgentLimitsView>({
  name: 'comms_set_agent_limits',
  title: 'Set an agent\'s limits',
  description:
    'Admin only. Put an agent in a tier (`usage.tiers` of the server config: limits and markup) and/or give it its ' +
    'own overrides of that tier: actions per minute/hour/day per action type (sms, email, whatsapp, call), spending ' +
    'caps per day and month (decimal amounts), calls and messages a day to one contact, markupPercent. A limit ' +
    'set to null means none. Takes effect on the next send. Returns the agent\'s resulting limits.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['agentId'],
    properties: {
      agentId: { type: 'string', minLength: 1 },
      tier: { type: ['string', 'null'], minLength: 1, maxLength: 64 },
      overrides: tierLimitsSchema,
    },
  },
  output: agentLimitsViewSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  auth: 'admin',
  tenancy: 'customer-scoped',
  toolset: 'usage',
  rest: { method: 'PUT', path: '/agents/:agentId/limits' },
  async run(ctx, input) {
    requireAdmin(ctx);
    const agent = await actingAgent(ctx, input.agentId);
    const { db, clock, settings } = ctx.ports;
    const current = await db.usage.getLimits(agent.id);
    const tier = input.tier !== undefined ? input.tier : (current?.tier ?? null);
    if (tier !== null) tierNamed(settings.usage, tier);
    const record = { agentId: agent.id, tier, overrides: (input.overrides ?? current?.overrides ?? {}) as Record<string, unknown>, updatedAt: clock.now() };
    // Resolving before storing refuses overrides that cannot be applied (an unparsable amount).
    const limits = effectiveLimits(settings.usage, record);
    await audited(ctx, { action: 'agent.limits.set', agentId: agent.id, targets: { tier } }, async (tx) => {
      await tx.usage.setLimits(record);
      return { result: undefined };
    });
    return toAgentLimitsView(agent.id, record, limits, settings.usage.currency);
  },
});
