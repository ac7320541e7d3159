/** Columns, parameters and row mapping of `call_logs`, kept together so their order cannot drift apart. */
import type { CallEvent, CallLogRecord } from '../../ports/records.js';
import {
  integer, jsonArray, jsonObject, member, nullableInteger, nullableText, nullableTime, text, timeParam,
} from './row-values.js';
import type { SqlCodec, SqlParam, SqlRow } from './sql-executor.js';

/** Every column but id and version: what an update writes. */
const CALL_LOG_DATA_COLUMNS = [
  'agent_id', 'direction', 'from_addr', 'to_addr', 'status', 'history', 'provider', 'provider_call_id',
  'audio_url', 'audio_key', 'started_at', 'answered_at', 'ended_at', 'duration_seconds', 'price_micros',
  'currency', 'error_code', 'error_message', 'metadata', 'created_at', 'updated_at',
];

const ALL_COLUMNS = ['id', ...CALL_LOG_DATA_COLUMNS, 'version'];

export const CALL_LOG_COLUMNS = ALL_COLUMNS.join(', ');

export const CALL_LOG_PLACEHOLDERS = ALL_COLUMNS.map(() => '?').join(', ');

/** `column = ?, …` over the data columns, then the version: `callLogDataParams`, then the new version. */
export const CALL_LOG_UPDATE_SET = [...CALL_LOG_DATA_COLUMNS, 'version'].map((column) => `${column} = ?`).join(', ');

/** Parameters in the order of CALL_LOG_DATA_COLUMNS. */
export function callLogDataParams(call: CallLogRecord, codec: SqlCodec): SqlParam[] {
  return [
    call.agentId, call.direction, call.from, call.to, call.status, codec.json(call.history), call.provider,
    call.providerCallId, call.audioUrl, call.audioKey, codec.time(call.startedAt), timeParam(call.answeredAt, codec),
    timeParam(call.endedAt, codec), call.durationSeconds, call.priceMicros, call.currency, call.errorCode,
    call.errorMessage, codec.json(call.metadata), codec.time(call.createdAt), codec.time(call.updatedAt),
  ];
}

/** Parameters in the order of CALL_LOG_COLUMNS. */
export function callLogParams(call: CallLogRecord, codec: SqlCodec): SqlParam[] {
  return [call.id, ...callLogDataParams(call, codec), call.version];
}

export function toCallLog(row: SqlRow, codec: SqlCodec): CallLogRecord {
  return {
    id: text(row, 'id'),
    agentId: text(row, 'agent_id'),
    direction: member(row, 'direction'),
    from: text(row, 'from_addr'),
    to: text(row, 'to_addr'),
    status: text(row, 'status'),
    history: jsonArray(row, 'history', codec).map(toCallEvent),
    provider: text(row, 'provider'),
    providerCallId: nullableText(row, 'provider_call_id'),
    audioUrl: nullableText(row, 'audio_url'),
    audioKey: nullableText(row, 'audio_key'),
    startedAt: codec.readTime(row.started_at),
    answeredAt: nullableTime(row, 'answered_at', codec),
    endedAt: nullableTime(row, 'ended_at', codec),
    durationSeconds: nullableInteger(row, 'duration_seconds'),
    priceMicros: nullableInteger(row, 'price_micros'),
    currency: nullableText(row, 'currency'),
    errorCode: nullableText(row, 'error_code'),
    errorMessage: nullableText(row, 'error_message'),
    metadata: jsonObject(row, 'metadata', codec),
    createdAt: codec.readTime(row.created_at),
    updatedAt: codec.readTime(row.updated_at),
    version: integer(row, 'version'),
  };
}

function toCallEvent(value: unknown): CallEvent {
  const event = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof CallEvent, unknown>>;
  if (typeof event.status !== 'string' || typeof event.at !== 'string') {
    throw new TypeError('Column history holds an entry that is not a call event.');
  }
  return { status: event.status, at: event.at };
}
