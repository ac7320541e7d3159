import type { WebhookReply, WebhookRequest } from '../../../ports/webhook.js';
import type { CorePorts } from '../../context.js';
import { requireSignedFor, telephonySigner } from '../../customers/webhook-account.js';
import { settleSmsPrice } from '../../usage/settle-usage.js';
import { requireProviderNumbers } from './provider-numbers.js';
import { applyDeliveryStatus, storeInboundText, webhookAgent } from './store-inbound.js';

/** Statuses after which the provider has priced the message: it went out. */
const CHARGED = new Set(['delivered', 'undelivered']);

/**
 * An inbound SMS: the signature is checked before anything is read or stored. `agentId` comes from a per-agent URL;
 * null on the URL shared by every agent, where the message goes to whoever owns the number it was sent to.
 */
export async function receiveInboundSms(ports: CorePorts, agentId: string | null, request: WebhookRequest): Promise<WebhookReply> {
  const telephony = await telephonySigner(ports, agentId, request);
  const sms = telephony.port.parseInboundSms(request);
  requireProviderNumbers(ports, sms, 'text');
  const agent = await webhookAgent(ports, agentId, 'sms', sms.to, sms.from);
  requireSignedFor(telephony, agent);
  await storeInboundText(ports, agent, {
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

/** Delivery progress of an SMS we sent (`agentId` null on the shared URL: the echoed reference places it). */
export async function receiveSmsStatus(ports: CorePorts, agentId: string | null, request: WebhookRequest): Promise<WebhookReply> {
  const telephony = await telephonySigner(ports, agentId, request);
  const update = telephony.port.parseSmsStatus(request);
  const message = await applyDeliveryStatus(ports, agentId, 'sms', update, (agent) => requireSignedFor(telephony, agent));
  // In the background: the provider's webhook is answered without waiting for another API call. The price is
  // asked of the provider that reported it (in a failover list, the member that carried the message).
  if (message && CHARGED.has(update.status)) void settleSmsPrice(ports, telephony.port, message, update.providerMessageId);
  return telephony.port.webhookReply();
}
