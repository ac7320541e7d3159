import type { EmailEvent, EmailPort, InboundEmail } from '../../../ports/email.js';
import { isDomainError } from '../../../ports/errors.js';
import type { AgentRecord } from '../../../ports/records.js';
import type { WebhookReply, WebhookRequest } from '../../../ports/webhook.js';
import { requirePort, type CorePorts, type Provided } from '../../context.js';
import { signerOf } from '../../webhook-signer.js';
import { inboundThreading } from '../../contacts/email-threading.js';
import { applyDeliveryStatus, requireAddressedTo, requireAgent, storeInbound } from './store-inbound.js';

async function storeEmail(ports: CorePorts, agent: AgentRecord, provider: string, email: InboundEmail) {
  const threading = await inboundThreading(ports.db, agent.id, email);
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
      ...threading,
    },
  });
}

/**
 * Email provider webhook (Resend/Svix, SendGrid …): received mail and delivery events, signature first. `agentId`
 * comes from a per-agent URL; null on the URL shared by every agent (SendGrid's Inbound Parse and Event Webhook are
 * one per account), where mail goes to the agent owning a recipient address and reports find their message by the
 * echoed reference.
 */
export async function receiveEmailWebhook(ports: CorePorts, agentId: string | null, request: WebhookRequest): Promise<WebhookReply> {
  const email = signerOf(requirePort(ports, 'email'), request);
  const agent = agentId === null ? null : await requireAgent(ports, agentId);
  for (const event of await signedEvents(ports, email, request)) {
    if (event.kind === 'status') await applyDeliveryStatus(ports, agentId, 'email', event);
    else if (agent) {
      await requireAddressedTo(ports, agent, 'email', [...event.email.to, ...event.email.cc]);
      await storeEmail(ports, agent, email.id, event.email);
    }
    else await routeEmail(ports, email.id, event.email);
  }
  return email.port.webhookReply();
}

/**
 * The events of a signed webhook; none when it names an email the provider itself does not know. That failure is
 * permanent: a refusal would only have the provider redeliver it for days (Resend retries any non-2xx answer), so it
 * is acknowledged and logged, with no address or content.
 */
async function signedEvents(ports: CorePorts, email: Provided<EmailPort>, request: WebhookRequest): Promise<EmailEvent[]> {
  try {
    return await email.port.parseWebhook(request);
  } catch (err) {
    if (!isDomainError(err) || err.code !== 'NOT_FOUND') throw err;
    ports.logger.warn({ provider: email.id, code: err.code }, 'signed email webhook names an email the provider does not know: acknowledged, nothing stored');
    return [];
  }
}

/**
 * Mail that names no agent (a shared webhook URL, the SMTP listener) goes to the agent owning one of its recipient
 * addresses. Mail for no known agent is dropped with a warning, acknowledged: a refusal would only bring it back.
 */
async function routeEmail(ports: CorePorts, provider: string, email: InboundEmail): Promise<void> {
  for (const address of [...email.to, ...email.cc]) {
    const channel = await ports.db.agents.findChannelByAddress('email', address.toLowerCase());
    if (channel) {
      await storeEmail(ports, await requireAgent(ports, channel.agentId), provider, email);
      return;
    }
  }
  ports.logger.warn({ recipients: email.to.length + email.cc.length }, 'inbound email for no known agent address');
}

/** Mail pushed by an adapter (SMTP listener, which already refuses foreign domains): routed by its recipients. */
export async function receivePushedEmail(ports: CorePorts, email: InboundEmail): Promise<void> {
  await routeEmail(ports, requirePort(ports, 'email').id, email);
}
