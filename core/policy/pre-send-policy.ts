import { isDomainError } from '../../ports/errors.js';
import type { Database, Repositories } from '../../ports/repositories.js';
import type { ClaimOutcome, CounterValue, UsageRecord, UsageUnit } from '../../ports/usage.js';
import type { UseCaseContext } from '../context.js';
import { agentLimits } from '../agents/agent-cache.js';
import { cachedEffectiveLimits } from '../usage/effective-limits.js';
import { microsToDecimal, withMarkup } from '../usage/money.js';
import { crossedThresholds, raiseUsageAlerts, type UsageAlert } from '../usage/usage-alerts.js';
import { releaseUsage } from '../usage/settle-usage.js';
import type { LimitClaim, OutboundAction, PolicyInput, UsageLinks } from './outbound-action.js';
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

/** Takes the reservation for the action `work` stored; returns the usage records that hold it. */
export type KeepReservation = () => UsageRecord[];

/** An action that passed every rule; its counters are claimed only when it is committed. */
export interface Admission {
  readonly estimate: UsageEstimate | null;
  /**
   * Reserves the action's budget (every limit counter the rules asked for, and the `held` usage records
   * linked to `links`), then runs `work`, which stores the action's own row (message, call) and calls
   * `keep` when it did. When a counter has no room left, the refusal is thrown before `work` runs; when
   * `work` throws or does not call `keep` (an idempotent replay), the reservation is given back. `work`
   * writes through the `db` it is given only: where the database reserves with the action
   * (Database.reservesWithAction) that is the transaction holding the reservation, and nothing is
   * written unless both are; elsewhere the reservation is written first and alone (reserveThenAct).
   */
  commit<T>(links: UsageLinks, work: (db: Repositories, keep: KeepReservation) => Promise<T>): Promise<T>;
}

/**
 * The pre-send policy: every outbound use case runs it before its provider is called. Each rule of
 * POLICY_RULES allows (asking for limit counters to be claimed) or refuses with a coded error; a refusal,
 * from a rule or from a counter with no room left, is recorded once, here.
 */
export async function checkOutbound(ctx: UseCaseContext, action: OutboundAction): Promise<Admission> {
  const { usage } = ctx.ports.settings;
  const now = ctx.ports.clock.now();
  const limits = usage.enabled ? cachedEffectiveLimits(usage, await agentLimits(ctx.ports, action.agent.id)) : null;
  const markup = limits?.markupBasisPoints ?? 0;
  const prices = action.lines.map((line) => withMarkup(line.costMicros, markup));
  const priceMicros = prices.reduce((sum, p) => sum + p, 0);
  const input: PolicyInput = { ctx, action, limits, priceMicros, now };
  const claims: LimitClaim[] = [];
  for (const rule of POLICY_RULES) {
    try {
      // Most rules answer at once: awaited only when they return a promise, each await being a turn of the microtask queue.
      const evaluated = rule.evaluate(input);
      claims.push(...(evaluated instanceof Promise ? await evaluated : evaluated));
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
    async commit(links, work) {
      if (!limits) return work(ctx.ports.db, () => []);
      const records = usageRecords(ctx, action, { prices, markup, claims, links, now });
      const reserved = ctx.ports.db.reservesWithAction
        ? await reserveWithAction(ctx.ports.db, action.agent.id, claims, records, work)
        : await reserveThenAct(ctx, action.agent.id, claims, records, work);
      if (!reserved.ok) {
        const claim = claims.find((c) => c.counter === reserved.refused.counter) ?? claims[0]!;
        const error = claim.rule.refusal(claim, reserved.used, input);
        await recordRefusal(ctx, action, claim.rule.name, error, claim);
        throw error;
      }
      const alerts = reserved.kept ? crossedThresholds(usage.alertThresholds, claims, reserved.values) : [];
      if (alerts.length > 0) await alertCrossedThresholds(ctx, action, alerts);
      return reserved.value;
    },
  };
}

type Work<T> = (db: Repositories, keep: KeepReservation) => Promise<T>;
/** A refusal (nothing done), or what `work` returned, whether it kept the reservation and the counters' values. */
type Reserved<T> = Exclude<ClaimOutcome, { ok: true }> | { ok: true; value: T; kept: boolean; values: CounterValue[] };

/**
 * The reservation first, alone, so the counter rows are locked only for that one write; then `work`. When `work`
 * throws or does not keep the reservation (an idempotent replay), it is given back. A crash in between leaves held
 * records that the sweeper releases when their hold expires.
 */
async function reserveThenAct<T>(ctx: UseCaseContext, agentId: string, claims: LimitClaim[], records: UsageRecord[], work: Work<T>): Promise<Reserved<T>> {
  const reserved = await ctx.ports.db.usage.reserve(agentId, claims, records);
  if (!reserved.ok) return reserved;
  let kept = false;
  try {
    const value = await work(ctx.ports.db, () => {
      kept = true;
      return records;
    });
    if (!kept) await releaseUsage(ctx.ports, records);
    return { ok: true, value, kept, values: reserved.values };
  } catch (err) {
    await releaseUsage(ctx.ports, records);
    throw err;
  }
}

/** Carries what `work` returned out of the transaction it rolls back, when it did not keep the reservation. */
class NotKept<T> {
  constructor(readonly value: T) {}
}

/** The reservation and `work` in one transaction (Database.reservesWithAction): a reservation not kept is rolled back with it. */
async function reserveWithAction<T>(db: Database, agentId: string, claims: LimitClaim[], records: UsageRecord[], work: Work<T>): Promise<Reserved<T>> {
  try {
    return await db.transaction(async (tx): Promise<Reserved<T>> => {
      const reserved = await tx.usage.reserve(agentId, claims, records);
      if (!reserved.ok) return reserved;
      let kept = false;
      const value = await work(tx, () => {
        kept = true;
        return records;
      });
      if (!kept) throw new NotKept(value);
      return { ok: true, value, kept, values: reserved.values };
    });
  } catch (err) {
    if (err instanceof NotKept) return { ok: true, value: err.value as T, kept: false, values: [] };
    throw err;
  }
}

/** Spend alerts for thresholds this reservation crossed (rare), each sent once per period. */
async function alertCrossedThresholds(ctx: UseCaseContext, action: OutboundAction, alerts: readonly UsageAlert[]): Promise<void> {
  const queued = await ctx.ports.db.transaction((tx) => raiseUsageAlerts(ctx.ports, tx, action.agent, alerts));
  if (queued > 0) ctx.ports.notifyCallbacksPending();
}
