import type { MessageStatus } from './records.js';
import type { NamedAdapter, WebhookReply, WebhookRequest, WebhookKind } from './webhook.js';

export interface SendWhatsAppRequest {
  /** E.164 sender (without any `whatsapp:` prefix: adapters add their own addressing). */
  from: string;
  /** E.164 recipient. */
  to: string;
  /** Free-form text; only allowed inside the 24-hour customer-service window. */
  body?: string;
  mediaUrls?: string[];
  /** An approved template (Twilio Content SID, or the provider's template name) and its variables. */
  template?: { id: string; variables: Record<string, string> };
  statusCallbackUrl?: string;
  reference: string;
  /** The request that asked for the send (absent for background work), for the adapter's log lines about it. */
  requestId?: string;
}

export interface SendWhatsAppResult {
  providerMessageId: string;
  status: MessageStatus;
  /** Composite adapters (a failover list) only: the plugin id of the member that carried the message. */
  provider?: string;
}

export interface InboundWhatsApp {
  providerMessageId: string;
  from: string;
  to: string;
  body: string;
  mediaUrls: string[];
  profileName: string | null;
}

export type WhatsAppEvent =
  | { kind: 'received'; message: InboundWhatsApp }
  | { kind: 'status'; providerMessageId: string; status: MessageStatus; errorCode: string | null };

/**
 * The `whatsapp` port. Failures are `DomainError`s with the telephony port's codes, plus
 * `TEMPLATE_REQUIRED` when the provider refuses free-form text outside the 24-hour window.
 */
export interface WhatsAppPort {
  send(request: SendWhatsAppRequest): Promise<SendWhatsAppResult>;
  /**
   * The kinds of webhook the provider sends (media type, signature header, largest body), checked before a webhook's
   * body is read. Adapters that leave it out get the server's body limit and no early check.
   */
  readonly webhookKinds?: readonly WebhookKind[];
  verifyWebhook(request: WebhookRequest): boolean;
  parseWebhook(request: WebhookRequest): WhatsAppEvent[];
  webhookReply(): WebhookReply;
  /**
   * Composite adapters (a failover list) only: the member whose signature `request` carries, which then parses
   * and answers it; null when no member's does. Single adapters leave it out and core uses `verifyWebhook`.
   */
  signedBy?(request: WebhookRequest): NamedAdapter<WhatsAppPort> | null;
  close?(): Promise<void>;
}
