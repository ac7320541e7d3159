import { isDomainError } from '../../../ports/errors.js';
import type { AgentRecord, MessageRecord } from '../../../ports/records.js';
import { requirePort, type CorePorts } from '../../context.js';
import { recordOptIn, recordOptOut } from '../../compliance/opt-outs.js';
import { predecessorsOf } from '../status-transitions.js';

export type Keyword = 'optOut' | 'optIn' | 'help';

/** The keyword an inbound text is, exactly (case and surrounding spaces ignored), or null. */
export function keywordOf(ports: CorePorts, body: string): Keyword | null {
  const word = body.trim().toUpperCase();
  const { keywords } = ports.settings.compliance.optOut;
  for (const kind of ['optOut', 'optIn', 'help'] as const) {
    if (keywords[kind].some((k) => k.toUpperCase() === word)) return kind;
  }
  return null;
}

/** What the stored and forwarded message carries, so the agent sees what happened. */
export function keywordMetadata(keyword: Keyword | null): Record<string, unknown> {
  return keyword ? { keyword, [keyword]: true } : {};
}

/**
 * A keyword message was stored (first delivery only): record the opt-out or opt-in for the agent's
 * number it was sent to, then answer it once, unless the provider answers itself (Twilio's default
 * handling on SMS). The answer is stored as an outbound message; a failure to send it is logged and kept.
 */
export async function actOnKeyword(ports: CorePorts, agent: AgentRecord, inbound: MessageRecord, keyword: Keyword): Promise<void> {
  const channel = inbound.channel;
  if (channel === 'email') return;
  const who = { contact: inbound.from, channel, sender: inbound.to };
  if (keyword === 'optOut') await recordOptOut(ports, { ...who, source: 'keyword' });
  if (keyword === 'optIn') await recordOptIn(ports, who);
  const { replies, smsReplies } = ports.settings.compliance.optOut;
  const text = replies[keyword];
  if (text === '' || (channel === 'sms' && smsReplies === 'provider')) return;
  await sendKeywordReply(ports, agent, inbound, text, keyword);
}

async function sendKeywordReply(ports: CorePorts, agent: AgentRecord, inbound: MessageRecord, text: string, keyword: Keyword): Promise<void> {
  const now = ports.clock.now();
  const reply: MessageRecord = {
    id: ports.ids.next('msg'), agentId: agent.id, channel: inbound.channel, direction: 'outbound', from: inbound.to, to: inbound.from, body: text,
    status: 'pending', provider: inbound.provider, providerMessageId: null, idempotencyKey: `keyword-reply:${inbound.id}`, requestHash: null,
    errorCode: null, errorMessage: null, metadata: { automatic: 'keyword-reply', keyword, inReplyTo: inbound.id }, createdAt: now, updatedAt: now,
  };
  // The key makes a reply to one inbound message at most one, whatever happens.
  if (!(await ports.db.messages.insertOutbound(reply)).inserted) return;
  const statusCallbackUrl = `${ports.settings.publicBaseUrl}/webhooks/${encodeURIComponent(agent.id)}/${inbound.channel === 'sms' ? 'sms/status' : 'whatsapp'}`;
  try {
    const sent = inbound.channel === 'sms'
      ? await requirePort(ports, 'telephony').port.sendSms({ from: reply.from, to: reply.to, body: text, statusCallbackUrl, reference: reply.id })
      : await requirePort(ports, 'whatsapp').port.send({ from: reply.from, to: reply.to, body: text, statusCallbackUrl, reference: reply.id });
    await ports.db.messages.changeStatus(reply.id, { status: sent.status, providerMessageId: sent.providerMessageId, updatedAt: ports.clock.now() }, ['pending', ...predecessorsOf(sent.status)]);
  } catch (err) {
    const code = isDomainError(err) ? err.code : 'INTERNAL';
    ports.logger.error({ agentId: agent.id, messageId: reply.id, code }, 'answering an opt-out keyword failed');
    await ports.db.messages.changeStatus(reply.id, { status: 'failed', errorCode: code, errorMessage: (err as Error).message, updatedAt: ports.clock.now() }, ['pending']);
  }
}
