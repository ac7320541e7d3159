import type { Logger } from '../../ports/runtime.js';
import type { NamedAdapter, WebhookRequest } from '../../ports/webhook.js';
import type { SendWhatsAppRequest, SendWhatsAppResult, WhatsAppEvent, WhatsAppPort } from '../../ports/whatsapp.js';
import { FailoverAdapter } from './failover-adapter.js';

/** The WhatsApp port over an ordered list of adapters: sends fail over, webhooks go to the member that signed them. */
export class FailoverWhatsApp extends FailoverAdapter<WhatsAppPort> implements WhatsAppPort {
  constructor(members: readonly NamedAdapter<WhatsAppPort>[], logger: Logger) {
    super(members, logger);
  }

  send(request: SendWhatsAppRequest): Promise<SendWhatsAppResult> {
    return this.sendInOrder(request.requestId, (port) => port.send(request));
  }

  parseWebhook(request: WebhookRequest): WhatsAppEvent[] {
    return this.parserOf(request).parseWebhook(request);
  }
}
