import { windowAt } from '../../usage/windows.js';
import { limitRefusal } from '../limit-refusals.js';
import type { LimitRule, OutboundAction } from '../outbound-action.js';

const limited = (action: OutboundAction): 'call' | 'message' => (action.kind === 'call' ? 'call' : 'message');

/**
 * Anti-harassment: at most N calls and M messages (all channels together) a UTC day to one number or
 * address. Counters are keyed by a hash of the contact (128 bits of its SHA-256), so no number or
 * address is stored with them.
 */
export const contactLimitRule: LimitRule = {
  name: 'contact-limit',
  evaluate({ ctx, action, limits, now }) {
    if (!limits) return [];
    const what = limited(action);
    const cap = limits.perContact[what];
    if (cap === null) return [];
    const window = windowAt('day', now);
    const contacts = action.contacts.length === 1 ? action.contacts : [...new Set(action.contacts)];
    return contacts.map((contact) => ({
      counter: `contact:${what}:${ctx.ports.secrets.hash(contact).slice(0, 32)}`, windowStart: window.start, windowEnd: window.end, window,
      amount: 1, cap, kind: 'count', rule: contactLimitRule,
    }));
  },
  refusal({ window, cap }, _used, { action, now }) {
    const what = limited(action);
    return limitRefusal(
      'CONTACT_LIMIT_REACHED',
      `This agent may send at most ${cap} ${what}s a day to the same ${action.kind === 'email' ? 'address' : 'number'}; a recipient of this one has had that many today.`,
      'Do not contact this recipient again today; reach them another way, or wait for the reset.',
      window, now, { limit: cap, contactLimit: what },
    );
  },
};
