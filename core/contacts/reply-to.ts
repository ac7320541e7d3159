import type { AddressKind } from '../../ports/contacts.js';
import { DomainError } from '../../ports/errors.js';
import type { Channel, MessageRecord } from '../../ports/records.js';
import type { UseCaseContext } from '../context.js';
import type { SendMessageInput } from '../messages/outbound/send-input.js';
import { emailReplyHeaders, replySubject } from './email-threading.js';

/** comms_send_message as called: `to` may be left out when `inReplyTo` names the message answered. */
export type SendMessageRequest = Omit<SendMessageInput, 'to'> & { to?: SendMessageInput['to']; inReplyTo?: string };

/** A send request made whole from the message it answers, and that message (null for a fresh send). */
export interface ReplyResolution {
  input: SendMessageInput;
  repliedTo: MessageRecord | null;
}

export const KIND_OF_CHANNEL: Readonly<Record<Channel, AddressKind>> = { sms: 'phone', email: 'email', whatsapp: 'whatsapp' };

const invalidTo = (message: string, nextStep: string) => new DomainError('INVALID_INPUT', message, nextStep, { field: 'to' });

/** The other party of a message: who we wrote to (every recipient of a group email), or who wrote to us. */
function partiesOf(m: MessageRecord): string[] {
  return (m.direction === 'outbound' ? m.to.split(', ') : [m.from]).map((a) => a.trim().toLowerCase());
}

/**
 * Answers `inReplyTo` on any channel: the replied-to message's contact (with every address the agent merged into
 * it) gives the recipient on the channel asked for when `to` is left out, and must hold `to` when it is given.
 * An email answering an email keeps its subject ("Re: …", never twice).
 */
export async function resolveReply(ctx: UseCaseContext, agentId: string, request: SendMessageRequest): Promise<ReplyResolution> {
  const { inReplyTo, to, ...rest } = request;
  if (inReplyTo === undefined) {
    if (to === undefined) throw invalidTo('to is required unless inReplyTo names the message answered.', 'Pass to, or the id of the message to answer as inReplyTo.');
    return { input: { ...rest, to }, repliedTo: null };
  }
  const repliedTo = await ctx.ports.db.messages.findById(inReplyTo);
  if (!repliedTo || repliedTo.agentId !== agentId) {
    throw new DomainError('NOT_FOUND', `Message ${inReplyTo} does not exist for this agent.`, 'Pass the id of one of this agent\'s messages (comms_get_thread lists them).', { field: 'inReplyTo' });
  }
  const parties = partiesOf(repliedTo);
  const contact = parties.length === 1
    ? await ctx.ports.db.contacts.findByAddress(agentId, KIND_OF_CHANNEL[repliedTo.channel], parties[0]!)
    : null;
  const kind = KIND_OF_CHANNEL[request.channel];
  const reachable = [
    ...(repliedTo.channel === request.channel ? parties : []),
    ...(contact?.addresses.filter((a) => a.kind === kind).map((a) => a.address) ?? []),
  ];
  const recipients = to === undefined ? reachable.slice(0, repliedTo.channel === request.channel ? parties.length : 1) : to;
  const given = (Array.isArray(recipients) ? recipients : [recipients]).map((a) => a.trim().toLowerCase());
  if (given.length === 0) {
    throw invalidTo(`The person answered has no ${kind} address yet.`, `Pass to, or merge their ${kind} contact into theirs (comms_merge_contacts).`);
  }
  if (given.some((a) => !reachable.includes(a))) {
    throw invalidTo('to is not an address of the person whose message inReplyTo names.', 'Leave to out to answer them, or send a fresh message without inReplyTo.');
  }
  const subject = request.channel === 'email' && repliedTo.channel === 'email' && rest.subject === undefined
    ? replySubject(typeof repliedTo.metadata.subject === 'string' ? repliedTo.metadata.subject : '')
    : rest.subject;
  return { input: { ...rest, to: recipients, ...(subject === undefined ? {} : { subject }) }, repliedTo };
}

/**
 * The stored message, threaded: every email gets its own RFC 5322 Message-ID (`<message id@sender's domain>`, what
 * email clients thread replies by); a reply records the message it answers, and an email reply its In-Reply-To and
 * References.
 */
export function threadOutbound(message: MessageRecord, repliedTo: MessageRecord | null): MessageRecord {
  const metadata: Record<string, unknown> = { ...message.metadata };
  if (repliedTo) metadata.inReplyTo = repliedTo.id;
  if (message.channel === 'email') {
    metadata.messageIdHeader = `<${message.id}@${message.from.split('@')[1] ?? 'localhost'}>`;
    if (repliedTo?.channel === 'email') Object.assign(metadata, emailReplyHeaders(repliedTo.metadata));
  }
  return { ...message, metadata };
}
