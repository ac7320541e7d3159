import type { WebhookReply, WebhookRequest } from '../../../ports/webhook.js';
import { requirePort, type CorePorts } from '../../context.js';
import { signerOf } from '../../webhook-signer.js';
import { applyDeliveryStatus, requireAddressedTo, requireAgent, storeInboundText } from './store-inbound.js';

/** WhatsApp provider webhook: inbound messages (which open the 24-hour window) and status reports. */
export async function receiveWhatsAppWebhook(ports: CorePorts, agentId: string, request: WebhookRequest): Promise<WebhookReply> {
  const whatsapp = signerOf(requirePort(ports, 'whatsapp'), request);
  const agent = await requireAgent(ports, agentId);
  for (const event of whatsapp.port.parseWebhook(request)) {
    if (event.kind === 'received') {
      const m = event.message;
      await requireAddressedTo(ports, agent, 'whatsapp', [m.to]);
      await storeInboundText(ports, agent, {
        channel: 'whatsapp',
        provider: whatsapp.id,
        providerMessageId: m.providerMessageId,
        from: m.from,
        to: m.to,
        body: m.body,
        metadata: { ...(m.mediaUrls.length ? { mediaUrls: m.mediaUrls } : {}), ...(m.profileName ? { profileName: m.profileName } : {}) },
      });
    } else {
      await applyDeliveryStatus(ports, agent.id, 'whatsapp', event);
    }
  }
  return whatsapp.port.webhookReply();
}
