import type { InboundEmail } from '../../../ports/email.js';
import type { AgentRecord } from '../../../ports/records.js';
import type { WebhookReply, WebhookRequest } from '../../../ports/webhook.js';
import { requirePort, type CorePorts } from '../../context.js';
import { applyDeliveryStatus, invalidSignature, requireAgent, storeInbound } from './store-inbound.js';

function storeEmail(ports: CorePorts, agent: AgentRecord, provider: string, email: InboundEmail) {
  return storeInbound(ports, agent, {
    channel: 'email',
    provider,
    providerMessageId: email.providerMessageId,
    from: email.from,
    to: email.to.join(', '),
    body: email.text,
    metadata: {
      subject: email.subject,
      cc: email.cc,
      ...(email.html ? { html: email.html } : {}),
      messageIdHeader: email.messageIdHeader,
      attachments: email.attachments,
    },
  });
}

/** Email provider webhook (Resend/Svix …): received mail and delivery events, signature first. */
export async function receiveEmailWebhook(ports: CorePorts, agentId: string, request: WebhookRequest): Promise<WebhookReply> {
  const email = requirePort(ports, 'email');
  if (!email.port.verifyWebhook(request)) throw invalidSignature();
  const agent = await requireAgent(ports, agentId);
  for (const event of await email.port.parseWebhook(request)) {
    if (event.kind === 'received') await storeEmail(ports, agent, email.id, event.email);
    else await applyDeliveryStatus(ports, agent.id, 'email', event);
  }
  return email.port.webhookReply();
}

/**
 * Mail pushed by an adapter (SMTP listener): routed to the agent whose address it was sent to. Mail for
 * no known agent is dropped with a warning (the SMTP listener already refuses foreign domains).
 */
export async function receivePushedEmail(ports: CorePorts, email: InboundEmail): Promise<void> {
  const adapter = requirePort(ports, 'email');
  for (const address of email.to) {
    const channel = await ports.db.agents.findChannelByAddress('email', address.toLowerCase());
    if (channel) {
      await storeEmail(ports, await requireAgent(ports, channel.agentId), adapter.id, email);
      return;
    }
  }
  ports.logger.warn({ recipients: email.to.length }, 'inbound email for no known agent address');
}
