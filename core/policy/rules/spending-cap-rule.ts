import { windowAt } from '../../usage/windows.js';
import { limitRefusal, money } from '../limit-refusals.js';
import type { LimitClaim, PolicyRule } from '../outbound-action.js';

/** Spend per UTC day and month (marked-up price): caps, refused before the provider is called. */
export const spendingCapRule: PolicyRule = {
  name: 'spending-cap',
  evaluate({ ctx, limits, priceMicros, now }) {
    if (!limits) return [];
    const { currency } = ctx.ports.settings.usage;
    return (['day', 'month'] as const).flatMap((size): LimitClaim[] => {
      const cap = limits.spend[size];
      if (cap === null) return [];
      const window = windowAt(size, now);
      return [{
        counter: `spend:${size}`, window, amount: priceMicros, cap, kind: 'spend', rule: 'spending-cap',
        refuse: (used) => limitRefusal(
          'SPENDING_CAP_REACHED',
          `This would pass the agent's spending cap of ${money(cap, currency)} per ${size} (spent or reserved: ${money(used, currency)}; this costs about ${money(priceMicros, currency)}).`,
          `Wait until the cap resets at ${window.end.toISOString()}, or ask the operator to raise it (comms_set_agent_limits).`,
          window, now, { cap: money(cap, currency), estimatedPrice: money(priceMicros, currency) },
        ),
      }];
    });
  },
};
