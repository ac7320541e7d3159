import { windowAt } from '../../usage/windows.js';
import { limitRefusal, money } from '../limit-refusals.js';
import type { LimitClaim, LimitRule } from '../outbound-action.js';

const SIZES = ['day', 'month'] as const;

/** Spend per UTC day and month (marked-up price): caps, refused before the provider is called. */
export const spendingCapRule: LimitRule = {
  name: 'spending-cap',
  evaluate({ limits, priceMicros, now }) {
    if (!limits) return [];
    const claims: LimitClaim[] = [];
    for (const size of SIZES) {
      const cap = limits.spend[size];
      if (cap === null) continue;
      const window = windowAt(size, now);
      claims.push({ counter: `spend:${size}`, windowStart: window.start, windowEnd: window.end, window, amount: priceMicros, cap, kind: 'spend', rule: spendingCapRule });
    }
    return claims;
  },
  refusal({ window, cap }, used, { ctx, priceMicros, now }) {
    const { currency } = ctx.ports.settings.usage;
    return limitRefusal(
      'SPENDING_CAP_REACHED',
      `This would pass the agent's spending cap of ${money(cap, currency)} per ${window.size} (spent or reserved: ${money(used, currency)}; this costs about ${money(priceMicros, currency)}).`,
      `Wait until the cap resets at ${window.end.toISOString()}, or ask the operator to raise it (comms_set_agent_limits).`,
      window, now, { cap: money(cap, currency), estimatedPrice: money(priceMicros, currency) },
    );
  },
};
