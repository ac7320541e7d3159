import type { AgentLimitsRecord } from '../../ports/usage.js';
import { microsToDecimal } from './money.js';
import { tierLimitsSchema } from './tier-limits-schema.js';
import type { EffectiveLimits } from './usage-settings.js';

export interface AgentLimitsView {
  agentId: string;
  tier: string;
  markupPercent: number;
  currency: string;
  /** Resolved limits (tier with the agent's overrides); null = no limit. */
  actions: Record<string, { perMinute: number | null; perHour: number | null; perDay: number | null }>;
  spend: { perDay: string | null; perMonth: string | null };
  perContact: { callsPerDay: number | null; messagesPerDay: number | null };
  overrides: Record<string, unknown>;
}

const nullableCount = { type: ['integer', 'null'] } as const;

export const agentLimitsViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['agentId', 'tier', 'markupPercent', 'currency', 'actions', 'spend', 'perContact', 'overrides'],
  properties: {
    agentId: { type: 'string' },
    tier: { type: 'string' },
    markupPercent: { type: 'number' },
    currency: { type: 'string' },
    actions: {
      type: 'object',
      additionalProperties: {
        type: 'object', additionalProperties: false, required: ['perMinute', 'perHour', 'perDay'],
        properties: { perMinute: nullableCount, perHour: nullableCount, perDay: nullableCount },
      },
    },
    spend: { type: 'object', additionalProperties: false, required: ['perDay', 'perMonth'], properties: { perDay: { type: ['string', 'null'] }, perMonth: { type: ['string', 'null'] } } },
    perContact: { type: 'object', additionalProperties: false, required: ['callsPerDay', 'messagesPerDay'], properties: { callsPerDay: nullableCount, messagesPerDay: nullableCount } },
    overrides: tierLimitsSchema,
  },
} as const;

export function toAgentLimitsView(agentId: string, record: AgentLimitsRecord | null, limits: EffectiveLimits, currency: string): AgentLimitsView {
  const money = (m: number | null): string | null => (m === null ? null : microsToDecimal(m));
  return {
    agentId,
    tier: limits.tier,
    markupPercent: limits.markupBasisPoints / 100,
    currency,
    actions: Object.fromEntries(Object.entries(limits.actions).map(([kind, l]) => [kind, { perMinute: l.minute, perHour: l.hour, perDay: l.day }])),
    spend: { perDay: money(limits.spend.day), perMonth: money(limits.spend.month) },
    perContact: { callsPerDay: limits.perContact.call, messagesPerDay: limits.perContact.message },
    overrides: record?.overrides ?? {},
  };
}
