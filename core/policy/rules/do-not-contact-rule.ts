import { DomainError } from '../../../ports/errors.js';
import type { PolicyRule } from '../outbound-action.js';
import { sendBlocks } from '../send-blocks.js';

/** Numbers on the operator's do-not-contact list (global or the agent's own) get no calls, texts or WhatsApp. */
export const doNotContactRule: PolicyRule = {
  name: 'do-not-contact',
  async evaluate({ ctx, action }) {
    if (action.kind === 'email') return [];
    const [listed] = (await sendBlocks(ctx, action)).doNotContact;
    if (!listed) return [];
    throw new DomainError(
      'DO_NOT_CONTACT',
      'The recipient is on the do-not-contact list: no calls or messages to this number.',
      'Do not contact this number. If the person asked to be contacted, ask the operator to take the number off the list.',
      { list: listed.agentId === null ? 'global' : 'agent' },
    );
  },
};
