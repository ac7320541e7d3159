import { DomainError } from '../../ports/errors.js';
import type { CallLogRecord } from '../../ports/records.js';
import type { CallLogQuery, CallLogRepository } from '../../ports/repositories.js';
import {
  CALL_LOG_COLUMNS, CALL_LOG_PLACEHOLDERS, CALL_LOG_UPDATE_SET, callLogDataParams, callLogParams, toCallLog,
} from './call-log-mapping.js';
import { SqlClauses } from './sql-clauses.js';
import type { SqlCodec, SqlExecutor, SqlParam } from './sql-executor.js';
import { isUniqueViolation } from './unique-violation.js';

const INSERT = `INSERT INTO call_logs (${CALL_LOG_COLUMNS}) VALUES (${CALL_LOG_PLACEHOLDERS})`;
const INSERT_UNLESS_KNOWN = `${INSERT} ON CONFLICT (agent_id, provider_call_id) DO NOTHING RETURNING id`;
// The version in WHERE makes the write conditional in one statement: of two writers holding the same
// version, the database lets exactly one through (PostgreSQL re-checks WHERE after the row lock).
const UPDATE = `UPDATE call_logs SET ${CALL_LOG_UPDATE_SET} WHERE id = ? AND version = ?`;
const SELECT_BY_ID = `SELECT ${CALL_LOG_COLUMNS} FROM call_logs WHERE id = ?`;
const SELECT_BY_PROVIDER_ID = `SELECT ${CALL_LOG_COLUMNS} FROM call_logs WHERE agent_id = ? AND provider_call_id = ?`;
const SELECT_STUCK_UNPLACED =
  `SELECT ${CALL_LOG_COLUMNS} FROM call_logs WHERE status IN ('queued', 'initiated') AND provider_call_id IS NULL ` +
  "AND direction = 'outbound' AND updated_at < ? ORDER BY updated_at, id LIMIT ?";

export class SqlCallLogRepository implements CallLogRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(call: CallLogRecord): Promise<void> {
    const params = callLogParams(call, this.sql.codec);
    try {
      await this.sql.run((session) => session.run(INSERT, params));
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateCall(call);
      throw err;
    }
  }

  async insertOrFind(call: CallLogRecord & { providerCallId: string }): Promise<{ inserted: boolean; call: CallLogRecord }> {
    const inserted = await this.sql.run((session) => session.rows(INSERT_UNLESS_KNOWN, callLogParams(call, this.sql.codec)));
    if (inserted.length > 0) return { inserted: true, call: { ...call } };
    // The conflicting row is committed (PostgreSQL waits for the other writer before DO NOTHING), so it is found.
    const stored = await this.findByProviderId(call.agentId, call.providerCallId);
    if (!stored) throw new DomainError('INTERNAL', 'A call vanished between its insert conflict and its read.', undefined, { callId: call.id });
    return { inserted: false, call: stored };
  }

  findById(id: string): Promise<CallLogRecord | null> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(SELECT_BY_ID, [id]);
      return row ? toCallLog(row, this.sql.codec) : null;
    });
  }

  findByProviderId(agentId: string, providerCallId: string): Promise<CallLogRecord | null> {
    return this.sql.run(async (session) => {
      const [row] = await session.rows(SELECT_BY_PROVIDER_ID, [agentId, providerCallId]);
      return row ? toCallLog(row, this.sql.codec) : null;
    });
  }

  async update(next: CallLogRecord, expectedVersion: number): Promise<boolean> {
    const params = [...callLogDataParams(next, this.sql.codec), expectedVersion + 1, next.id, expectedVersion];
    try {
      return (await this.sql.run((session) => session.run(UPDATE, params))) > 0;
    } catch (err) {
      if (isUniqueViolation(err)) throw duplicateCall(next);
      throw err;
    }
  }

  list(query: CallLogQuery): Promise<CallLogRecord[]> {
    const limit = Math.floor(query.limit);
    if (!(limit > 0)) return Promise.resolve([]);
    const { sql, params } = callHistorySql(query, limit, this.sql.codec);
    // A read-only page: on SQLite it runs beside the write batch, not inside it.
    return this.sql.read(async (session) => {
      const rows = await session.rows(sql, params);
      return rows.map((row) => toCallLog(row, this.sql.codec));
    });
  }

  listStuckUnplaced(updatedBefore: Date, limit: number): Promise<CallLogRecord[]> {
    return this.sql.run(async (session) => {
      const rows = await session.rows(SELECT_STUCK_UNPLACED, [this.sql.codec.time(updatedBefore), Math.floor(limit)]);
      return rows.map((row) => toCallLog(row, this.sql.codec));
    });
  }
}

/** A page of an agent's calls, newest first: read in order from (agent_id, created_at, id), `limit` entries. */
export function callHistorySql(query: CallLogQuery, limit: number, codec: SqlCodec): { sql: string; params: SqlParam[] } {
  const where = new SqlClauses('agent_id = ?', query.agentId);
  if (query.before !== undefined) {
    // Row-value comparison: strictly older, ties on created_at broken by id, and index-friendly.
    where.and('(created_at, id) < (?, ?)', codec.time(query.before.createdAt), query.before.id);
  }
  return {
    sql: `SELECT ${CALL_LOG_COLUMNS} FROM call_logs WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`,
    params: [...where.params, limit],
  };
}

/** A reused call id, or a provider call id the agent already has on another call. */
function duplicateCall(call: CallLogRecord): DomainError {
  return new DomainError(
    'CONFLICT',
    'A call with this id or provider call id is already stored.',
    undefined,
    { callId: call.id, providerCallId: call.providerCallId },
  );
}
