import { DomainError } from '../../../ports/errors.js';
import { actionChannel } from '../../compliance/action-channel.js';
import type { PolicyRule } from '../outbound-action.js';
import { sendBlocks } from '../send-blocks.js';

const HOW_BACK: Readonly<Record<string, string>> = {
  sms: 'They can opt back in by texting START to this number.',
  whatsapp: 'They can opt back in by writing START.',
  email: 'They can subscribe again only by asking for it themselves.',
  voice: 'Only the operator can lift it.',
};

/** A person who opted out (STOP, an unsubscribe link, the provider's own opt-out list) is not contacted on that channel. */
export const optOutRule: PolicyRule = {
  name: 'opt-out',
  async evaluate({ ctx, action }) {
    const channel = actionChannel(action.kind);
    const found = (await sendBlocks(ctx, action)).optOuts;
    const binding = found.find((o) => o.scope === 'all' || action.purpose === 'marketing');
    if (!binding) return [];
    throw new DomainError(
      'OPTED_OUT',
      `A recipient has opted out of ${binding.scope === 'marketing' ? 'marketing ' : ''}${channel} messages from this sender.`,
      `Do not contact them on ${channel} again${binding.scope === 'marketing' ? ' for marketing (transactional messages are still allowed)' : ''}. ${HOW_BACK[channel]}`,
      { channel, source: binding.source, scope: binding.scope, since: binding.createdAt.toISOString() },
    );
  },
};
