import { windowAt, type WindowSize } from '../../usage/windows.js';
import { limitRefusal } from '../limit-refusals.js';
import type { LimitClaim, LimitRule } from '../outbound-action.js';

/** In the order of their counters' names, the order the repository claims them in: then it need not sort them. */
const SIZES: readonly Exclude<WindowSize, 'month'>[] = ['day', 'hour', 'minute'];

/** Actions per minute, hour and day, per action type (sms, email, whatsapp, call). */
export const rateLimitRule: LimitRule = {
  name: 'rate-limit',
  evaluate({ action, limits, now }) {
    if (!limits) return [];
    const caps = limits.actions[action.kind];
    const claims: LimitClaim[] = [];
    for (const size of SIZES) {
      const cap = caps[size];
      if (cap === null) continue;
      const window = windowAt(size, now);
      claims.push({
        counter: `actions:${action.kind}:${size}`, windowStart: window.start, windowEnd: window.end, window, amount: 1, cap, kind: 'count', rule: rateLimitRule,
      });
    }
    return claims;
  },
  refusal({ window, cap }, _used, { action, now }) {
    return limitRefusal(
      'RATE_LIMITED',
      `This agent may do at most ${cap} ${action.kind} actions per ${window.size}, and has reached that.`,
      `Wait until ${window.end.toISOString()} (retryAfterSeconds), or ask the operator to raise the limit.`,
      window, now, { limit: cap, actionType: action.kind },
    );
  },
};
