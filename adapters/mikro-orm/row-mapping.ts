/**
 * Turns driver rows into the plain records of ports/records.ts. Column values are checked, not cast:
 * a schema that drifted from the migrations fails loudly here instead of leaking wrong types to core.
 */
import type {
  AgentChannelRecord, AgentRecord, CallbackDeliveryRecord, MessageRecord,
} from '../../ports/records.js';
import type { SqlCodec, SqlRow } from './sql-executor.js';

function text(row: SqlRow, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new TypeError(`Column ${column} is not text.`);
  return value;
}

function nullableText(row: SqlRow, column: string): string | null {
  const value = row[column];
  return value === null || value === undefined ? null : text(row, column);
}

function integer(row: SqlRow, column: string): number {
  const value = Number(row[column]);
  if (!Number.isInteger(value)) throw new TypeError(`Column ${column} is not an integer.`);
  return value;
}

/** Stored values come from our own writes, so the union members are trusted after the type check. */
function member<T extends string>(row: SqlRow, column: string): T {
  return text(row, column) as T;
}

export const AGENT_COLUMNS =
  'id, name, token_hash, callback_url, callback_secret, status, created_at, updated_at';

export function toAgent(row: SqlRow, codec: SqlCodec): AgentRecord {
  return {
    id: text(row, 'id'),
    name: text(row, 'name'),
    tokenHash: text(row, 'token_hash'),
    callbackUrl: nullableText(row, 'callback_url'),
    callbackSecret: text(row, 'callback_secret'),
    status: member(row, 'status'),
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
  };
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
    metadata: codec.readJson(row.metadata),
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
  };
}

export const DELIVERY_COLUMNS =
  'id, agent_id, message_id, url, payload, status, attempts, next_attempt_at, last_error, created_at, updated_at';

export function toCallbackDelivery(row: SqlRow, codec: SqlCodec): CallbackDeliveryRecord {
  return {
    id: text(row, 'id'),
    agentId: text(row, 'agent_id'),
    messageId: text(row, 'message_id'),
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
