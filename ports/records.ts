/** Persistent records shared by core and the repository adapters. Plain data, no behaviour. */

export type Channel = 'sms' | 'email' | 'whatsapp';
export const CHANNELS: readonly Channel[] = ['sms', 'email', 'whatsapp'];

export type Direction = 'outbound' | 'inbound';

/**
 * Lifecycle of a message. `pending` is ours: persisted, provider not yet answered. The rest follow the
 * providers' vocabulary (Twilio's Message status values, reduced to the ones agents act on).
 */
export type MessageStatus =
  | 'pending'
  | 'accepted'
  | 'queued'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'read'
  | 'undelivered'
  | 'failed'
  | 'canceled'
  | 'received';

export const MESSAGE_STATUSES: readonly MessageStatus[] = [
  'pending', 'accepted', 'queued', 'sending', 'sent', 'delivered', 'read', 'undelivered', 'failed',
  'canceled', 'received',
];

export interface AgentRecord {
  id: string;
  name: string;
  /** Hex SHA-256 of the bearer token; the token itself is never stored. */
  tokenHash: string;
  /** Where inbound messages are forwarded; null falls back to the server-wide default. */
  callbackUrl: string | null;
  /** Signs forwarded callbacks (Standard Webhooks); shown once at creation. */
  callbackSecret: string;
  status: 'active' | 'disabled';
  createdAt: Date;
  updatedAt: Date;
}

export interface AgentChannelRecord {
  id: string;
  agentId: string;
  channel: Channel;
  /** E.164 number for sms/whatsapp, mailbox address for email. Unique per channel. */
  address: string;
  createdAt: Date;
}

export interface MessageRecord {
  id: string;
  agentId: string;
  channel: Channel;
  direction: Direction;
  from: string;
  to: string;
  body: string;
  status: MessageStatus;
  /** Plugin id of the adapter that carried it (`twilio`, `mock` …). */
  provider: string;
  providerMessageId: string | null;
  idempotencyKey: string | null;
  /** Fingerprint of the request that used `idempotencyKey`, to refuse the key's reuse for another message. */
  requestHash: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** Channel-specific extras (media URLs, subject, segments …) as JSON-safe data. */
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type CallbackDeliveryStatus = 'pending' | 'delivered' | 'dead';

/** Outbox row: a forward of an inbound event to the agent's callback URL, retried until delivered. */
export interface CallbackDeliveryRecord {
  id: string;
  agentId: string;
  messageId: string;
  url: string;
  /** The exact JSON body to POST (signed as is). */
  payload: string;
  status: CallbackDeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}
