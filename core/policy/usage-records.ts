import type { CounterShare, UsageRecord } from '../../ports/usage.js';
import type { UseCaseContext } from '../context.js';
import type { LimitClaim, OutboundAction, UsageLinks } from './outbound-action.js';

/**
 * One usage record per line of the action, `held` until the provider answers (lines already done, such
 * as synthesised speech, are `charged` at once). Action and contact counts belong to the action's main
 * line; each line holds its own price on the spending counters, so it can be settled on its own.
 */
export function usageRecords(
  ctx: UseCaseContext,
  action: OutboundAction,
  o: { prices: readonly number[]; markup: number; claims: readonly LimitClaim[]; links: UsageLinks; now: Date },
): UsageRecord[] {
  const done = action.doneLines ?? 0;
  const heldUntil = new Date(o.now.getTime() + ctx.ports.settings.usage.holdSeconds * 1000);
  return action.lines.map((line, index) => {
    const price = o.prices[index] ?? 0;
    const shares: CounterShare[] = o.claims
      .filter((c) => (c.kind === 'spend' ? price > 0 : index === done))
      .map((c) => ({ counter: c.counter, windowStart: c.windowStart, windowEnd: c.windowEnd, amount: c.kind === 'spend' ? price : c.amount, kind: c.kind }));
    const settled = index < done;
    return {
      id: ctx.ports.ids.next('use'),
      agentId: action.agent.id,
      channel: line.channel,
      action: line.action,
      units: line.units,
      unit: line.unit,
      provider: line.provider,
      destination: line.destination,
      costMicros: line.costMicros,
      priceMicros: price,
      markupBasisPoints: o.markup,
      currency: ctx.ports.settings.usage.currency,
      costSource: 'price-table',
      state: settled ? 'charged' : 'held',
      heldUntil: settled ? null : heldUntil,
      shares,
      messageId: o.links.messageId ?? null,
      callId: o.links.callId ?? null,
      createdAt: o.now,
      updatedAt: o.now,
    };
  });
}
