import type { SendBlocks } from '../../ports/compliance.js';
import { actionChannel } from '../compliance/action-channel.js';
import { contactHash } from '../compliance/contact-hash.js';
import type { UseCaseContext } from '../context.js';
import type { OutboundAction } from './outbound-action.js';

const looked = new WeakMap<OutboundAction, Promise<SendBlocks>>();

/**
 * The opt-outs and do-not-contact entries that concern an action, read once for all the rules that ask
 * (the opt-out and do-not-contact rules stay separate questions; the database answers both in one round trip).
 */
export function sendBlocks(ctx: UseCaseContext, action: OutboundAction): Promise<SendBlocks> {
  let blocks = looked.get(action);
  if (!blocks) {
    blocks = ctx.ports.db.compliance.findSendBlocks({
      contactHashes: action.contacts.map((c) => contactHash(ctx.ports.secrets, c)),
      channel: actionChannel(action.kind),
      sender: action.sender,
      agentId: action.agent.id,
      // The do-not-contact lists hold numbers: email is not on them.
      doNotContact: action.kind !== 'email',
    });
    looked.set(action, blocks);
  }
  return blocks;
}
