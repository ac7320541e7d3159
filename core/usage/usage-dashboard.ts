import { DomainError } from '../../ports/errors.js';
import type { UsageTotals } from '../../ports/usage.js';
import { requireOperator } from '../auth/tenancy.js';
import { defineUseCase } from '../use-case.js';
import { microsToDecimal } from './money.js';
import { windowAt } from './windows.js';

interface Money { count: number; cost: string; price: string; margin: string }
interface DashboardOutput {
  currency: string;
  since: string;
  until: string;
  totals: Money & { agents: number };
  byChannel: Array<Money & { channel: string; action: string }>;
  byTier: Array<Money & { tier: string; agents: number }>;
  topAgents: Array<Money & { agentId: string; name: string | null; tier: string }>;
  refusals: Array<{ code: string; count: number }>;
}

const moneyProps = { count: { type: 'integer' }, cost: { type: 'string' }, price: { type: 'string' }, margin: { type: 'string' } } as const;
const moneyRequired = ['count', 'cost', 'price', 'margin'] as const;
const row = (extra: Record<string, object>) => ({
  type: 'object', additionalProperties: false, required: [...moneyRequired, ...Object.keys(extra)], properties: { ...moneyProps, ...extra },
});

/** Sums usage rows into count, cost, price and margin (price − cost). */
function sum(rows: readonly UsageTotals[]): Money {
  const cost = rows.reduce((s, r) => s + r.costMicros, 0);
  const price = rows.reduce((s, r) => s + r.priceMicros, 0);
  return { count: rows.reduce((s, r) => s + r.records, 0), cost: microsToDecimal(cost), price: microsToDecimal(price), margin: microsToDecimal(price - cost) };
}

function groupBy<K>(rows: readonly UsageTotals[], key: (r: UsageTotals) => K): Map<K, UsageTotals[]> {
  const groups = new Map<K, UsageTotals[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return groups;
}

export const getUsageDashboard = defineUseCase<{ since?: string; until?: string; top?: number }, DashboardOutput>({
  name: 'comms_get_usage_dashboard',
  title: 'Usage dashboard',
  description:
    'Admin only. Usage across agents and tiers over a period (default: this UTC month): totals, by channel, by tier, ' +
    'the top agents by price, provider cost against marked-up price (margin), and policy refusals by reason.',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      since: { type: 'string', format: 'date-time' },
      until: { type: 'string', format: 'date-time' },
      top: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
    },
  },
  output: {
    type: 'object',
    additionalProperties: false,
    required: ['currency', 'since', 'until', 'totals', 'byChannel', 'byTier', 'topAgents', 'refusals'],
    properties: {
      currency: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      totals: row({ agents: { type: 'integer' } }),
      byChannel: { type: 'array', items: row({ channel: { type: 'string' }, action: { type: 'string' } }) },
      byTier: { type: 'array', items: row({ tier: { type: 'string' }, agents: { type: 'integer' } }) },
      topAgents: { type: 'array', items: row({ agentId: { type: 'string' }, name: { type: ['string', 'null'] }, tier: { type: 'string' } }) },
      refusals: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['code', 'count'], properties: { code: { type: 'string' }, count: { type: 'integer' } } } },
    },
  },
  annotations: { readOnlyHint: true, openWorldHint: false },
  auth: 'admin',
  toolset: 'usage',
  rest: { method: 'GET', path: '/usage/dashboard' },
  async run(ctx, input) {
    requireOperator(ctx, 'comms_get_usage_dashboard');
    const { db, clock, settings } = ctx.ports;
    if (!settings.usage.enabled) throw new DomainError('CHANNEL_NOT_CONFIGURED', 'Usage is switched off on this server.', 'Enable usage (usage.enabled).', { port: 'usage' });
    const now = clock.now();
    const since = input.since ? new Date(input.since) : windowAt('month', now).start;
    const until = input.until ? new Date(input.until) : now;
    const rows = await db.usage.totals({ since, until });
    const tierOf = new Map((await db.usage.listLimits()).map((l) => [l.agentId, l.tier ?? settings.usage.defaultTier]));
    const tier = (agentId: string): string => tierOf.get(agentId) ?? settings.usage.defaultTier;
    const byAgent = [...groupBy(rows, (r) => r.agentId)].map(([agentId, list]) => ({ agentId, list, price: list.reduce((s, r) => s + r.priceMicros, 0) }));
    byAgent.sort((a, b) => b.price - a.price);
    const topAgents = await Promise.all(byAgent.slice(0, input.top ?? 10).map(async ({ agentId, list }) => ({
      agentId, name: (await db.agents.findById(agentId))?.name ?? null, tier: tier(agentId), ...sum(list),
    })));
    const refusals = new Map<string, number>();
    for (const c of await db.usage.counters(null, since, 'refused:')) {
      if (c.windowStart < until) refusals.set(c.counter.slice('refused:'.length), (refusals.get(c.counter.slice('refused:'.length)) ?? 0) + c.used);
    }
    return {
      currency: settings.usage.currency,
      since: since.toISOString(),
      until: until.toISOString(),
      totals: { ...sum(rows), agents: byAgent.length },
      byChannel: [...groupBy(rows, (r) => `${r.channel}:${r.action}`)].map(([, list]) => ({ channel: list[0]!.channel, action: list[0]!.action, ...sum(list) })),
      byTier: [...groupBy(rows, (r) => tier(r.agentId))].map(([name, list]) => ({ tier: name, agents: new Set(list.map((r) => r.agentId)).size, ...sum(list) })),
      topAgents,
      refusals: [...refusals].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count),
    };
  },
});
