/**
 * Turns driver rows into the plain records of ports/records.ts (the call log has its own file,
 * call-log-mapping.ts). Column values go through the checkers of row-values.ts.
 */
import type {
  AgentChannelRecord, AgentIdentity, AgentRecord, CallbackDeliveryRecord, CallTurnRecord, MessageRecord, TurnLatency,
  WhatsAppSenderRecord,
} from '../../ports/records.js';
import { flag, integer, jsonObject, member, nullableText, text } from './row-values.js';
import type { SqlCodec, SqlParam, SqlRow } from './sql-executor.js';
import { voiceSettings } from './voice-settings.js';

export const AGENT_COLUMNS =
  'id, name, token_hash, callback_url, callback_secret, status, voice_settings, created_at, updated_at, sending_suspended, ' +
  'customer_id, identity, shared_number, credentials_ref, provider_account';

export function toAgent(row: SqlRow, codec: SqlCodec): AgentRecord {
  return {
    id: text(row, 'id'),
    name: text(row, 'name'),
    tokenHash: text(row, 'token_hash'),
    callbackUrl: nullableText(row, 'callback_url'),
    callbackSecret: text(row, 'callback_secret'),
    status: member(row, 'status'),
    voice: voiceSettings(row, 'voice_settings', codec),
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
    // Present only while suspended: most agents never are, and their records stay as they were created.
    ...(nullableText(row, 'sending_suspended') ? { sendingSuspended: nullableText(row, 'sending_suspended') } : {}),
    // Tenancy fields likewise only when set: the operator's own dedicated agents read as before.
    ...presentText(row, 'customer_id', 'customerId'),
    ...(text(row, 'identity') !== 'dedicated' ? { identity: member<AgentIdentity>(row, 'identity') } : {}),
    ...presentText(row, 'shared_number', 'sharedNumber'),
    ...presentText(row, 'credentials_ref', 'credentialsRef'),
    ...presentText(row, 'provider_account', 'providerAccount'),
  };
}

/** `{ [field]: value }` when the column holds text, `{}` when it is null. */
function presentText<K extends string>(row: SqlRow, column: string, field: K): Partial<Record<K, string>> {
  const value = nullableText(row, column);
  return value === null ? {} : ({ [field]: value } as Record<K, string>);
}

export const CHANNEL_COLUMNS = 'id, agent_id, channel, address, created_at';

export function toAgentChannel(row: SqlRow, codec: SqlCodec): AgentChannelRecord {
  return {
    id: text(row, 'id'),
    agentId: text(row, 'agent_id'),
    channel: member(row, 'channel'),
    address: text(row, 'address'),
    createdAt: codec.readTime(row.created_at),
  };
}

export const MESSAGE_COLUMNS =
  'id, agent_id, channel, direction, from_addr, to_addr, body, status, provider, provider_message_id, ' +
  'idempotency_key, request_hash, error_code, error_message, metadata, created_at, updated_at';

export function toMessage(row: SqlRow, codec: SqlCodec): MessageRecord {
  return {
    id: text(row, 'id'),
    agentId: text(row, 'agent_id'),
    channel: member(row, 'channel'),
    direction: member(row, 'direction'),
    from: text(row, 'from_addr'),
    to: text(row, 'to_addr'),
    body: text(row, 'body'),
    status: member(row, 'status'),
    provider: text(row, 'provider'),
    providerMessageId: nullableText(row, 'provider_message_id'),
    idempotencyKey: nullableText(row, 'idempotency_key'),
    requestHash: nullableText(row, 'request_hash'),
    errorCode: nullableText(row, 'error_code'),
    errorMessage: nullableText(row, 'error_message'),
    metadata: jsonObject(row, 'metadata', codec),
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
  };
}

export const DELIVERY_COLUMNS =
  'id, agent_id, message_id, url, payload, status, attempts, next_attempt_at, last_error, created_at, updated_at';
export const INSERT_DELIVERY = `INSERT INTO callback_deliveries (${DELIVERY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function deliveryParams(d: CallbackDeliveryRecord, codec: SqlCodec): SqlParam[] {
  return [
    d.id, d.agentId, d.messageId, d.url, d.payload, d.status, d.attempts, codec.time(d.nextAttemptAt),
    d.lastError, codec.time(d.createdAt), codec.time(d.updatedAt),
  ];
}

export function toCallbackDelivery(row: SqlRow, codec: SqlCodec): CallbackDeliveryRecord {
  return {
    id: text(row, 'id'),
    agentId: text(row, 'agent_id'),
    messageId: nullableText(row, 'message_id'),
    url: text(row, 'url'),
    payload: text(row, 'payload'),
    status: member(row, 'status'),
    attempts: integer(row, 'attempts'),
    nextAttemptAt: codec.readTime(row.next_attempt_at),
    lastError: nullableText(row, 'last_error'),
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
  };
}

export const SENDER_COLUMNS = 'id, address, agent_id, created_at';

export function toWhatsAppSender(row: SqlRow, codec: SqlCodec): WhatsAppSenderRecord {
  return {
    id: text(row, 'id'),
    address: text(row, 'address'),
    agentId: nullableText(row, 'agent_id'),
    createdAt: codec.readTime(row.created_at),
  };
}

export const CALL_TURN_COLUMNS = 'id, call_id, seq, speaker, text, interrupted, created_at, latency';

export function toCallTurn(row: SqlRow, codec: SqlCodec): CallTurnRecord {
  return {
    id: text(row, 'id'),
    callId: text(row, 'call_id'),
    seq: integer(row, 'seq'),
    speaker: member(row, 'speaker'),
    text: text(row, 'text'),
    interrupted: flag(row, 'interrupted'),
    createdAt: codec.readTime(row.created_at),
    latency: row.latency === null || row.latency === undefined ? null : (jsonObject(row, 'latency', codec) as unknown as TurnLatency),
  };
}
