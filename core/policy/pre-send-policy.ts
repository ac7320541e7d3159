import { isDomainError, type DomainError } from '../../ports/errors.js';
import type { Repositories } from '../../ports/repositories.js';
import type { UsageRecord, UsageUnit } from '../../ports/usage.js';
import type { UseCaseContext } from '../context.js';
import { agentLimits } from '../usage/agent-limits-cache.js';
import { effectiveLimits } from '../usage/effective-limits.js';
import { microsToDecimal, withMarkup } from '../usage/money.js';
import { crossedThresholds, raiseUsageAlerts } from '../usage/usage-alerts.js';
import type { LimitClaim, OutboundAction, UsageLinks } from './outbound-action.js';
import { POLICY_RULES } from './policy-rules.js';
import { recordRefusal } from './record-refusal.js';
import { usageRecords } from './usage-records.js';
import { contactHash } from '../compliance/contact-hash.js';

/** What an admitted action will use, as the agent sees it in the result of the send. */
export interface UsageEstimate {
  units: number;
  unit: UsageUnit;
  /** Marked-up price as a decimal string in `currency`, estimated from the price table. */
  estimatedPrice: string;
  currency: string;
}

/** Reserves the action's budget inside the caller's transaction; returns the usage records written. */
export type Reserve = (links: UsageLinks) => Promise<UsageRecord[]>;

/** An action that passed every rule; its counters are claimed only when it is committed. */
export interface Admission {
  readonly estimate: UsageEstimate | null;
  /**
   * Runs `work` in one database transaction. `work` writes the action's own row (message, call) and
   * then calls `reserve`, which claims every limit counter the rules asked for and writes the usage
   * records, all in that transaction: when a counter has no room left, `reserve` throws the refusal and
   * nothing of `work` is kept. Not calling `reserve` (an idempotent replay) claims nothing.
   */
  commit<T>(work: (tx: Repositories, reserve: Reserve) => Promise<T>): Promise<T>;
}

/**
 * The pre-send policy: every outbound use case runs it before its provider is called. Each rule of
 * POLICY_RULES allows (asking for limit counters to be claimed) or refuses with a coded error; a refusal,
 * from a rule or from a counter with no room left, is recorded once, here.
 */
export async function checkOutbound(ctx: UseCaseContext, action: OutboundAction): Promise<Admission> {
  const { usage } = ctx.ports.settings;
  const now = ctx.ports.clock.now();
  const limits = usage.enabled ? effectiveLimits(usage, await agentLimits(ctx.ports, action.agent.id)) : null;
  const markup = limits?.markupBasisPoints ?? 0;
  const prices = action.lines.map((line) => withMarkup(line.costMicros, markup));
  const priceMicros = prices.reduce((sum, p) => sum + p, 0);
  const claims: LimitClaim[] = [];
  for (const rule of POLICY_RULES) {
    try {
      claims.push(...(await rule.evaluate({ ctx, action, limits, priceMicros, now })));
    } catch (err) {
      if (isDomainError(err)) await recordRefusal(ctx, action, rule.name, err);
      throw err;
    }
  }
  // Admitted: the anomaly detector sees the volume and the contacts (as hashes).
  await ctx.ports.anomalies.observeSend(action.agent.id, action.contacts.map((c) => contactHash(ctx.ports.secrets, c)));
  const primary = action.lines[action.doneLines ?? 0];
  const estimate = usage.enabled && primary
    ? { units: primary.units, unit: primary.unit, estimatedPrice: microsToDecimal(priceMicros), currency: usage.currency }
    : null;

  return {
    estimate,
    async commit(work) {
      // Usage off: nothing to reserve, so no transaction around the action's own writes either.
      if (!limits) return work(ctx.ports.db, async () => []);
      let refusal: { error: DomainError; claim: LimitClaim } | null = null;
      let alerts = 0;
      const reserve = async (tx: Repositories, links: UsageLinks): Promise<UsageRecord[]> => {
        const records = usageRecords(ctx, action, { prices, markup, claims, links, now });
        await tx.usage.insertRecords(records);
        // Claimed last: on PostgreSQL the counter rows stay locked from here to the commit.
        if (claims.length > 0) {
          const claimed = await tx.usage.claim(action.agent.id, claims.map((c) => ({
            counter: c.counter, windowStart: c.window.start, windowEnd: c.window.end, amount: c.amount, cap: c.cap,
          })));
          if (!claimed.ok) {
            const claim = claims.find((c) => c.counter === claimed.refused.counter) ?? claims[0]!;
            refusal = { error: claim.refuse(claimed.used), claim };
            throw refusal.error;
          }
          alerts = await raiseUsageAlerts(ctx.ports, tx, action.agent, crossedThresholds(usage.alertThresholds, claims, claimed.values));
        }
        return records;
      };
      try {
        const value = await ctx.ports.db.transaction((tx) => work(tx, (links) => reserve(tx, links)));
        if (alerts > 0) ctx.ports.notifyCallbacksPending();
        return value;
      } catch (err) {
        const refused = refusal as { error: DomainError; claim: LimitClaim } | null;
        if (refused && err === refused.error) await recordRefusal(ctx, action, refused.claim.rule, refused.error, refused.claim);
        throw err;
      }
    },
  };
}
