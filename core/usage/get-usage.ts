import { DomainError } from '../../ports/errors.js';
import type { UsageTotals } from '../../ports/usage.js';
import { actingAgent } from '../auth/authenticate.js';
import { defineUseCase } from '../use-case.js';
import { type AgentLimitsView, agentLimitsViewSchema, toAgentLimitsView } from './agent-limits-view.js';
import { effectiveLimits } from './effective-limits.js';
import { type LimitStanding, limitStandingSchema, limitStandings } from './limits-view.js';
import { microsToDecimal } from './money.js';
import { windowAt } from './windows.js';

interface UsageDay { day: string; channel: string; action: string; unit: string; count: number; units: number; price: string }

export interface GetUsageOutput {
  agentId: string;
  currency: string;
  /** Every limit of the agent with its current window: used, remaining, when it resets. */
  standings: LimitStanding[];
  limits: AgentLimitsView;
  /** Spend and counts by UTC day and channel over the period asked for. */
  days: UsageDay[];
  totalPrice: string;
}

const DAY_MS = 86_400_000;

export const getUsage = defineUseCase<{ agentId?: string; days?: number }, GetUsageOutput>({
  name: 'comms_get_usage',
  title: 'Get usage and limits',
  description:
    'The calling agent\'s usage and limits: each limit (actions per minute/hour/day per type, spend per day and ' +
    'month) with what is used and remaining in its current window and when it resets, its tier and per-contact ' +
    'limits, and its spend and counts by day and channel over the last `days` days (default 7). Costs nothing.',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      agentId: { type: 'string', minLength: 1, description: 'Only with the admin token.' },
      days: { type: 'integer', minimum: 1, maximum: 92, default: 7 },
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['agentId', 'currency', 'standings', 'limits', 'days', 'totalPrice'],
    properties: {
      agentId: { type: 'string' },
      currency: { type: 'string' },
      standings: { type: 'array', items: limitStandingSchema },
      limits: agentLimitsViewSchema,
      days: {
        type: 'array',
        items: {
          type: 'object', additionalProperties: false, required: ['day', 'channel', 'action', 'unit', 'count', 'units', 'price'],
          properties: { day: { type: 'string' }, channel: { type: 'string' }, action: { type: 'string' }, unit: { type: 'string' }, count: { type: 'integer' }, units: { type: 'integer' }, price: { type: 'string' } },
        },
      },
      totalPrice: { type: 'string' },
    },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'agent',
  tenancy: 'customer-scoped',
  toolset: 'usage',
  rest: { method: 'GET', path: '/usage' },
  async run(ctx, input) {
    const agent = await actingAgent(ctx, input.agentId);
    const { db, clock, settings } = ctx.ports;
    if (!settings.usage.enabled) throw new DomainError('CHANNEL_NOT_CONFIGURED', 'Usage is switched off on this server.', 'Ask the operator to enable usage (usage.enabled).', { port: 'usage' });
    const now = clock.now();
    const record = await db.usage.getLimits(agent.id);
    const limits = effectiveLimits(settings.usage, record);
    const counters = await db.usage.counters(agent.id, now);
    const since = new Date(windowAt('day', now).start.getTime() - ((input.days ?? 7) - 1) * DAY_MS);
    const totals = await db.usage.totals({ agentId: agent.id, since, until: now });
    return {
      agentId: agent.id,
      currency: settings.usage.currency,
      standings: limitStandings(limits, counters, now),
      limits: toAgentLimitsView(agent.id, record, limits, settings.usage.currency),
      days: totals.map((t: UsageTotals) => ({ day: t.day, channel: t.channel, action: t.action, unit: t.unit, count: t.records, units: t.units, price: microsToDecimal(t.priceMicros) })),
      totalPrice: microsToDecimal(totals.reduce((sum, t) => sum + t.priceMicros, 0)),
    };
  },
});
