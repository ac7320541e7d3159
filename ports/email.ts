import type { MessageStatus } from './records.js';
import type { NamedAdapter, WebhookReply, WebhookRequest, WebhookKind } from './webhook.js';
import type { DomainProvisioning } from './provisioning.js';

export interface EmailAttachment {
  filename: string;
  /** MIME type; adapters may infer it from the filename when absent. */
  contentType?: string;
  content: Uint8Array;
}

export interface SendEmailRequest {
  /** The agent's own address (from its channel record, never from the caller). */
  from: string;
  to: string[];
  cc?: string[];
  bcc?: string[];
  replyTo?: string[];
  subject: string;
  /** At least one of text and html is present. */
  text?: string;
  html?: string;
  attachments?: EmailAttachment[];
  /**
   * Extra headers (e.g. List-Unsubscribe); adapters pass them through. Threading headers come here too: `Message-ID`
   * (core gives every email its own), `In-Reply-To` and `References` on replies.
   */
  headers?: Record<string, string>;
  /** Passed to providers that support it (Resend `Idempotency-Key`). */
  idempotencyKey?: string;
  /** Our message id, echoed in pushed events. */
  reference: string;
  /** The request that asked for the send (absent for background work), for the adapter's log lines about it. */
  requestId?: string;
}

export interface SendEmailResult {
  providerMessageId: string;
  status: MessageStatus;
  /** Composite adapters (a failover list) only: the plugin id of the member that carried the mail. */
  provider?: string;
}

export interface InboundEmail {
  providerMessageId: string;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string | null;
  /** RFC 5322 Message-ID, for threading replies. */
  messageIdHeader: string | null;
  /** The Message-ID this mail answers (its In-Reply-To header), when it has one. */
  inReplyTo?: string | null;
  /** Its References header: the Message-IDs of the conversation, oldest first. */
  references?: string[];
  attachments: Array<{ filename: string; contentType: string; size: number }>;
}

export type EmailEvent =
  | { kind: 'received'; email: InboundEmail }
  | {
    kind: 'status';
    providerMessageId: string;
    status: MessageStatus;
    errorCode: string | null;
    /** Our message id (the send request's `reference`) when the provider echoes it (SendGrid custom args). */
    reference?: string | null;
  };

export interface EmailCapabilities {
  /** Inbound mail arrives through `parseWebhook` (HTTP) rather than pushed events. */
  inboundWebhook: boolean;
  attachments: boolean;
  idempotencyKeys: boolean;
}

/**
 * The `email` port. Failures are `DomainError`s with the same codes as the telephony port
 * (`PROVIDER_REJECTED`, `PROVIDER_AUTH_FAILED`, `RATE_LIMITED`, `PROVIDER_UNAVAILABLE`, `PROVIDER_TIMEOUT`)
 * plus `INVALID_EMAIL_ADDRESS` when the provider refuses an address.
 */
export interface EmailPort {
  readonly capabilities: EmailCapabilities;
  /** Sending domains at the provider, when its API offers them (comms_provision_channels). */
  readonly domains?: DomainProvisioning;
  send(request: SendEmailRequest): Promise<SendEmailResult>;
  /**
   * The kinds of webhook the provider sends (media type, signature header, largest body), checked before a webhook's
   * body is read. Adapters that leave it out get the server's body limit and no early check.
   */
  readonly webhookKinds?: readonly WebhookKind[];
  /** True only for a correctly signed, fresh webhook (e.g. Svix: ±5 minutes). */
  verifyWebhook(request: WebhookRequest): boolean;
  /**
   * Events of a verified webhook. Async because a provider may need a fetch (Resend's receiving API); `NOT_FOUND`
   * when the provider does not know the email its own signed webhook names (a permanent failure, acknowledged).
   */
  parseWebhook(request: WebhookRequest): Promise<EmailEvent[]>;
  webhookReply(): WebhookReply;
  /**
   * Composite adapters (a failover list) only: the member whose signature `request` carries, which then parses
   * and answers it; null when no member's does. Single adapters leave it out and core uses `verifyWebhook`.
   */
  signedBy?(request: WebhookRequest): NamedAdapter<EmailPort> | null;
  close?(): Promise<void>;
}
