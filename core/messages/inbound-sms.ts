import { DomainError } from '../../ports/errors.js';
import type { CallbackDeliveryRecord, MessageRecord } from '../../ports/records.js';
import type { TelephonyPort } from '../../ports/telephony.js';
import type { WebhookReply, WebhookRequest } from '../../ports/webhook.js';
import { requireTelephony, type CorePorts } from '../context.js';
import { toMessageView } from './message-view.js';
import { predecessorsOf } from './status-transitions.js';

function verifiedTelephony(ports: CorePorts, request: WebhookRequest): TelephonyPort {
  const telephony = requireTelephony(ports).port;
  if (!telephony.verifyWebhook(request)) {
    throw new DomainError(
      'INVALID_SIGNATURE',
      'The webhook signature is missing or does not match.',
      'Check that the provider\'s auth token matches the server config and that publicBaseUrl is the URL the provider calls.',
    );
  }
  return telephony;
}

/**
 * A provider delivered an inbound SMS. The signature is checked before anything is read or stored; the
 * message and its forward to the agent are written in one transaction, so a failing agent endpoint
 * can never lose the message, and a redelivery of the same provider message is stored once.
 */
export async function receiveInboundSms(ports: CorePorts, agentId: string, request: WebhookRequest): Promise<WebhookReply> {
  const telephony = verifiedTelephony(ports, request);
  const agent = await ports.db.agents.findById(agentId);
  if (!agent) throw new DomainError('NOT_FOUND', `Agent ${agentId} does not exist.`, 'Point the number\'s webhook at an existing agent.', { agentId });
  const sms = telephony.parseInboundSms(request);
  const now = ports.clock.now();
  const message: MessageRecord = {
    id: ports.ids.next('msg'),
    agentId: agent.id,
    channel: 'sms',
    direction: 'inbound',
    from: sms.from,
    to: sms.to,
    body: sms.body,
    status: 'received',
    provider: requireTelephony(ports).id,
    providerMessageId: sms.providerMessageId,
    idempotencyKey: null,
    requestHash: null,
    errorCode: null,
    errorMessage: null,
    metadata: sms.mediaUrls.length > 0 ? { mediaUrls: sms.mediaUrls } : {},
    createdAt: now,
    updatedAt: now,
  };
  const callbackUrl = agent.callbackUrl ?? ports.settings.defaultCallbackUrl;
  const delivery: CallbackDeliveryRecord | null = callbackUrl
    ? {
        id: ports.ids.next('evt'),
        agentId: agent.id,
        messageId: message.id,
        url: callbackUrl,
        payload: JSON.stringify({ type: 'message.received', agentId: agent.id, data: toMessageView(message) }),
        status: 'pending',
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        createdAt: now,
        updatedAt: now,
      }
    : null;
  const outcome = await ports.db.messages.insertInbound(message, delivery);
  if (outcome.inserted && delivery) ports.notifyCallbacksPending();
  return telephony.webhookReply();
}

/** A provider reported delivery progress of a message we sent. */
export async function receiveSmsStatus(ports: CorePorts, agentId: string, request: WebhookRequest): Promise<WebhookReply> {
  const telephony = verifiedTelephony(ports, request);
  const update = telephony.parseSmsStatus(request);
  const message = await ports.db.messages.findByProviderId(agentId, 'sms', update.providerMessageId);
  if (message) {
    await ports.db.messages.changeStatus(
      message.id,
      { status: update.status, errorCode: update.errorCode, updatedAt: ports.clock.now() },
      predecessorsOf(update.status),
    );
  } else {
    // Acknowledge anyway: a non-2xx answer would only make the provider retry a callback we cannot place.
    ports.logger.warn({ agentId, providerMessageId: update.providerMessageId }, 'status callback for an unknown message');
  }
  return telephony.webhookReply();
}

/** Status pushed by an adapter (demo mode, socket-based providers) for the message `reference`. */
export async function applyPushedSmsStatus(
  ports: CorePorts,
  event: { reference: string; providerMessageId: string; status: MessageRecord['status']; errorCode: string | null },
): Promise<void> {
  await ports.db.messages.changeStatus(
    event.reference,
    { status: event.status, errorCode: event.errorCode, providerMessageId: event.providerMessageId, updatedAt: ports.clock.now() },
    predecessorsOf(event.status),
  );
}
