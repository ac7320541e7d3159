import { windowAt } from '../../usage/windows.js';
import { limitRefusal } from '../limit-refusals.js';
import type { LimitClaim, PolicyRule } from '../outbound-action.js';

/**
 * Anti-harassment: at most N calls and M messages (all channels together) a UTC day to one number or
 * address. Counters are keyed by a hash of the contact (128 bits of its SHA-256), so no number or
 * address is stored with them.
 */
export const contactLimitRule: PolicyRule = {
  name: 'contact-limit',
  evaluate({ ctx, action, limits, now }) {
    if (!limits) return [];
    const what = action.kind === 'call' ? 'call' : 'message';
    const cap = limits.perContact[what];
    if (cap === null) return [];
    const window = windowAt('day', now);
    return [...new Set(action.contacts)].map((contact): LimitClaim => ({
      counter: `contact:${what}:${ctx.ports.secrets.hash(contact).slice(0, 32)}`, window, amount: 1, cap, kind: 'count', rule: 'contact-limit',
      refuse: () => limitRefusal(
        'CONTACT_LIMIT_REACHED',
        `This agent may send at most ${cap} ${what}s a day to the same ${action.kind === 'email' ? 'address' : 'number'}; a recipient of this one has had that many today.`,
        'Do not contact this recipient again today; reach them another way, or wait for the reset.',
        window, now, { limit: cap, contactLimit: what },
      ),
    }));
  },
};
