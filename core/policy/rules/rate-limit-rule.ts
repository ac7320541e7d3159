import { windowAt, type WindowSize } from '../../usage/windows.js';
import { limitRefusal } from '../limit-refusals.js';
import type { LimitClaim, PolicyRule } from '../outbound-action.js';

const SIZES: readonly Exclude<WindowSize, 'month'>[] = ['minute', 'hour', 'day'];

/** Actions per minute, hour and day, per action type (sms, email, whatsapp, call). */
export const rateLimitRule: PolicyRule = {
  name: 'rate-limit',
  evaluate({ action, limits, now }) {
    if (!limits) return [];
    const caps = limits.actions[action.kind];
    return SIZES.flatMap((size): LimitClaim[] => {
      const cap = caps[size];
      if (cap === null) return [];
      const window = windowAt(size, now);
      return [{
        counter: `actions:${action.kind}:${size}`, window, amount: 1, cap, kind: 'count', rule: 'rate-limit',
        refuse: () => limitRefusal(
          'RATE_LIMITED',
          `This agent may do at most ${cap} ${action.kind} actions per ${size}, and has reached that.`,
          `Wait until ${window.end.toISOString()} (retryAfterSeconds), or ask the operator to raise the limit.`,
          window, now, { limit: cap, actionType: action.kind },
        ),
      }];
    });
  },
};
