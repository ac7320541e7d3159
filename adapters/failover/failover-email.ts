import type { EmailCapabilities, EmailEvent, EmailPort, SendEmailRequest, SendEmailResult } from '../../ports/email.js';
import type { Logger } from '../../ports/runtime.js';
import type { NamedAdapter, WebhookRequest } from '../../ports/webhook.js';
import { FailoverAdapter } from './failover-adapter.js';

/** The email port over an ordered list of adapters: sends fail over, webhooks go to the member that signed them. */
export class FailoverEmail extends FailoverAdapter<EmailPort> implements EmailPort {
  readonly capabilities: EmailCapabilities;

  constructor(members: readonly NamedAdapter<EmailPort>[], logger: Logger) {
    super(members, logger);
    this.capabilities = {
      inboundWebhook: members.some((m) => m.port.capabilities.inboundWebhook),
      attachments: members.every((m) => m.port.capabilities.attachments),
      idempotencyKeys: members.every((m) => m.port.capabilities.idempotencyKeys),
    };
  }

  send(request: SendEmailRequest): Promise<SendEmailResult> {
    return this.sendInOrder(request.requestId, (port) => port.send(request));
  }

  parseWebhook(request: WebhookRequest): Promise<EmailEvent[]> {
    return this.parserOf(request).parseWebhook(request);
  }
}
