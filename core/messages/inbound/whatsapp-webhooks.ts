import type { AgentRecord } from '../../../ports/records.js';
import type { WebhookReply, WebhookRequest } from '../../../ports/webhook.js';
import { requirePort, type CorePorts } from '../../context.js';
import { signerOf } from '../../webhook-signer.js';
import { applyDeliveryStatus, requireAddressedTo, requireAgent, storeInboundText } from './store-inbound.js';

/**
 * FORBIDDEN unless the agent receives on `address`: its own number, a pool sender dedicated to it, or a shared pool
 * sender (which every agent without a sender of its own sends from, so that it tells no single owner).
 */
async function requireWhatsAppRecipient(ports: CorePorts, agent: AgentRecord, address: string): Promise<void> {
  const pooled = await ports.db.whatsappSenders.findByAddress(address);
  if (pooled && (pooled.agentId === null || pooled.agentId === agent.id)) return;
  await requireAddressedTo(ports, agent, 'whatsapp', [address]);
}

/** WhatsApp provider webhook: inbound messages (which open the 24-hour window) and status reports. */
export async function receiveWhatsAppWebhook(ports: CorePorts, agentId: string, request: WebhookRequest): Promise<WebhookReply> {
  const whatsapp = signerOf(requirePort(ports, 'whatsapp'), request);
  const agent = await requireAgent(ports, agentId);
  for (const event of whatsapp.port.parseWebhook(request)) {
    if (event.kind === 'received') {
      const m = event.message;
      await requireWhatsAppRecipient(ports, agent, m.to);
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
