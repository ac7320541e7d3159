import { isDomainError } from '../../ports/errors.js';
import type { CallLogRecord } from '../../ports/records.js';
import type { CorePorts } from '../context.js';
import { sendMessage } from '../messages/send-message.js';

/**
 * An unanswered voice message with `smsFallback` text: send that text by SMS once. The idempotency key
 * derived from the call makes a repeated final status (provider retries) send nothing more.
 */
export async function sendVoiceFallback(ports: CorePorts, call: CallLogRecord): Promise<void> {
  const text = call.metadata.smsFallback;
  if (typeof text !== 'string' || text === '') return;
  try {
    const sent = await sendMessage.run(
      { caller: { kind: 'agent', agentId: call.agentId }, ports, requestId: ports.ids.next('req') },
      { channel: 'sms', to: call.to, body: text, idempotencyKey: `voice-fallback:${call.id}` },
    );
    ports.logger.info({ callId: call.id, messageId: sent.messageId }, 'voice message unanswered: SMS fallback sent');
  } catch (err) {
    ports.logger.warn({ callId: call.id, code: isDomainError(err) ? err.code : 'INTERNAL' }, 'SMS fallback of an unanswered voice message failed');
  }
}
