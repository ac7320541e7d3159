import type { WebhookReply, WebhookRequest } from '../../../ports/webhook.js';
import { requireTelephony, type CorePorts } from '../../context.js';
import { applyDeliveryStatus, invalidSignature, requireAgent, storeInbound } from './store-inbound.js';
import { settleSmsPrice } from '../../usage/settle-usage.js';

/** Statuses after which the provider has priced the message: it went out. */
const CHARGED = new Set(['delivered', 'undelivered']);

function verified(ports: CorePorts, request: WebhookRequest) {
  const telephony = requireTelephony(ports);
  if (!telephony.port.verifyWebhook(request)) throw invalidSignature();
  return telephony;
}

/** An inbound SMS: the signature is checked before anything is read or stored. */
export async function receiveInboundSms(ports: CorePorts, agentId: string, request: WebhookRequest): Promise<WebhookReply> {
  const telephony = verified(ports, request);
  const agent = await requireAgent(ports, agentId);
  const sms = telephony.port.parseInboundSms(request);
  await storeInbound(ports, agent, {
    channel: 'sms',
    provider: telephony.id,
    providerMessageId: sms.providerMessageId,
    from: sms.from,
    to: sms.to,
    body: sms.body,
    metadata: sms.mediaUrls.length > 0 ? { mediaUrls: sms.mediaUrls } : {},
  });
  return telephony.port.webhookReply();
}

/** Delivery progress of an SMS we sent. */
export async function receiveSmsStatus(ports: CorePorts, agentId: string, request: WebhookRequest): Promise<WebhookReply> {
  const telephony = verified(ports, request);
  const update = telephony.port.parseSmsStatus(request);
  await applyDeliveryStatus(ports, agentId, 'sms', update);
  // In the background: the provider's webhook is answered without waiting for another API call.
  if (CHARGED.has(update.status)) void settleSmsPrice(ports, agentId, update.providerMessageId);
  return telephony.port.webhookReply();
}
