import type { ProviderAccountsPort } from './customers.js';
import type { TelephonyCalls } from './calls.js';
import type { NumberProvisioning } from './provisioning.js';
import type { MessageStatus } from './records.js';
import type { NamedAdapter, WebhookReply, WebhookRequest, WebhookKind } from './webhook.js';

export interface TelephonyCapabilities {
  sms: boolean;
  mms: boolean;
  voice: boolean;
  /**
   * Live AI conversations over our voice socket (`answerWithConversation`, `converse` scripts). Absent means
   * the same as `voice`; false for adapters that place calls and report on them but cannot hold a conversation.
   */
  conversations?: boolean;
  /**
   * How the provider's media stream (the `media-stream` transport) carries call audio: Twilio Media Streams
   * (JSON envelopes of base64 8 kHz μ-law; the default when absent) or Vonage's WebSocket endpoint (raw
   * binary 16-bit linear PCM at 16 kHz, JSON text commands beside it).
   */
  mediaStream?: MediaStreamProtocol;
}

export type MediaStreamProtocol = 'twilio-media-streams' | 'vonage-websocket';

export interface SendSmsRequest {
  /** E.164 sender: the agent's number. */
  from: string;
  /** E.164 recipient, already validated by core. */
  to: string;
  body: string;
  /** Where the provider should report delivery progress, built from `publicBaseUrl`. */
  statusCallbackUrl?: string;
  /** Our message id. Adapters that push events (`ProviderEventSink`) echo it back; others may ignore it. */
  reference: string;
  /** The request that asked for the send (absent for background work), for the adapter's log lines about it. */
  requestId?: string;
}

export interface SendSmsResult {
  providerMessageId: string;
  /** The provider's status, mapped to ours (`queued`, `accepted`, `sent` …). */
  status: MessageStatus;
  /** Composite adapters (a failover list) only: the plugin id of the member that carried the message. */
  provider?: string;
}

export interface SentSmsQuery {
  from: string;
  to: string;
  body: string;
  sentAfter: Date;
}

export interface InboundSms {
  providerMessageId: string;
  from: string;
  to: string;
  body: string;
  /** Media attached to an MMS, as URLs on the provider. */
  mediaUrls: string[];
}

/** What the provider charged for a message or call, in micro-units of `currency` (negative as charged). */
export interface ProviderPrice {
  priceMicros: number;
  currency: string;
}

export interface SmsStatusUpdate {
  providerMessageId: string;
  status: MessageStatus;
  /** The provider's own error code when delivery failed (e.g. Twilio 30003). */
  errorCode: string | null;
  /**
   * Our message id (the send request's `reference`) when the provider echoes it (Vonage `client-ref`): it
   * places a report the provider id alone cannot (a part of a long message, a URL shared by every agent).
   */
  reference?: string | null;
}

/**
 * The `telephony` port (SMS part): send SMS, and understand the provider's webhooks.
 *
 * Failures are thrown as `DomainError` with these codes, so core can react without knowing the vendor:
 * - `INVALID_PHONE_NUMBER` the provider refused the number;
 * - `OPTED_OUT` the provider keeps the recipient on its own opt-out list (Twilio 21610): core records it;
 * - `PROVIDER_REJECTED` any other permanent 4xx refusal;
 * - `PROVIDER_AUTH_FAILED` credentials refused;
 * - `RATE_LIMITED` the provider asked us to slow down (`details.retryAfterSeconds` when known);
 * - `PROVIDER_UNAVAILABLE` 5xx or connection refused: nothing was accepted, safe to retry;
 * - `PROVIDER_TIMEOUT` no answer (too slow, or the connection dropped after the request went out): the
 *   message may or may not have been accepted, so it must not be retried blindly.
 */
export interface TelephonyPort {
  readonly capabilities: TelephonyCapabilities;
  /** Present when `capabilities.voice` is true. */
  readonly calls?: TelephonyCalls;
  /** Buying and configuring numbers, when the provider's API offers it (comms_provision_channels). */
  readonly numbers?: NumberProvisioning;
  /** Subaccounts of the provider account (Twilio's Accounts API), for customer isolation; absent when it has none. */
  readonly accounts?: ProviderAccountsPort;
  sendSms(request: SendSmsRequest): Promise<SendSmsResult>;
  /**
   * The kinds of webhook the provider sends (media type, signature header, largest body), checked before a webhook's
   * body is read. Adapters that leave it out get the server's body limit and no early check.
   */
  readonly webhookKinds?: readonly WebhookKind[];
  /** True only if the request carries the provider's valid signature for exactly this URL and body. */
  verifyWebhook(request: WebhookRequest): boolean;
  /**
   * The provider account this adapter acts as (Twilio: its `AC…` SID); absent when the provider has no such notion.
   * With `webhookAccount`, it tells a webhook of this account from one of a subaccount, whose own token signs it.
   */
  readonly accountId?: string;
  /**
   * The provider account a webhook says it comes from (Twilio's `AccountSid` field), NOT verified: core uses it only
   * to choose whose signing secret must have signed the request, then checks the signature with that secret. Null
   * when the request names none. Adapters whose webhooks are signed with one secret whatever the account leave it out.
   */
  webhookAccount?(request: WebhookRequest): string | null;
  /** Parses an inbound-message webhook. Throws `INVALID_INPUT` if required fields are missing. */
  parseInboundSms(request: WebhookRequest): InboundSms;
  /** Parses a delivery-status webhook. Throws `INVALID_INPUT` if required fields are missing. */
  parseSmsStatus(request: WebhookRequest): SmsStatusUpdate;
  /** The body the provider expects in answer to a webhook (Twilio: empty TwiML). */
  webhookReply(): WebhookReply;
  /**
   * What the provider charged for a sent message, read from its record (status callbacks do not carry it);
   * null while the provider has not priced it yet. Optional: without it, the price table's estimate stays.
   */
  fetchSmsPrice?(providerMessageId: string): Promise<ProviderPrice | null>;
  /**
   * The messages the provider holds from `from` to `to` with exactly this `body`, sent at or after `sentAfter`,
   * oldest first: how core settles a send whose process died before it recorded the provider's answer. Optional:
   * without it (the provider has no such lookup), such a send is reported as one that may have been sent.
   */
  findSentSms?(query: SentSmsQuery): Promise<SendSmsResult[]>;
  /**
   * Composite adapters (a failover list) only: the member whose signature `request` carries, which then parses
   * and answers it; null when no member's does. Single adapters leave it out and core uses `verifyWebhook`.
   */
  signedBy?(request: WebhookRequest): NamedAdapter<TelephonyPort> | null;
  close?(): Promise<void>;
}
