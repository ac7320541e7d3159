import { DomainError } from '../../ports/errors.js';
import type { CallTurnRecord, TurnLatency } from '../../ports/records.js';
import type { CallTurnRepository } from '../../ports/repositories.js';
import { isForeignKeyViolation } from './foreign-key-violation.js';
import { CALL_TURN_COLUMNS, toCallTurn } from './row-mapping.js';
import type { SqlExecutor } from './sql-executor.js';
import { isUniqueViolation } from './unique-violation.js';

const INSERT = `INSERT INTO call_turns (${CALL_TURN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const REVISE = 'UPDATE call_turns SET text = ?, interrupted = ? WHERE id = ?';
const RECORD_LATENCY = 'UPDATE call_turns SET latency = ? WHERE id = ?';
// The unique (call_id, seq) index serves both the filter and the order.
const SELECT_FOR_CALL = `SELECT ${CALL_TURN_COLUMNS} FROM call_turns WHERE call_id = ? ORDER BY seq`;

/**
 * Booleans travel as 0/1: better-sqlite3 cannot bind a JS boolean, and PostgreSQL reads the text '1'/'0'
 * that node-postgres sends for them as a boolean when the column is one.
 */
const bit = (value: boolean): number => (value ? 1 : 0);

export class SqlCallTurnRepository implements CallTurnRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async append(turn: CallTurnRecord): Promise<void> {
    const params = [
      turn.id, turn.callId, turn.seq, turn.speaker, turn.text, bit(turn.interrupted), this.sql.codec.time(turn.createdAt),
      turn.latency ? this.sql.codec.json(turn.latency) : null,
    ];
    try {
      await this.sql.run((session) => session.run(INSERT, params));
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new DomainError(
          'CONFLICT',
          'A transcript turn with this id, or with this seq in this call, is already stored.',
          undefined,
          { id: turn.id, callId: turn.callId, seq: turn.seq },
        );
      }
      // As for setChannel's unknown agent: NOT_FOUND, not a driver's foreign-key error.
      if (isForeignKeyViolation(err)) {
        throw new DomainError('NOT_FOUND', `No call ${turn.callId}.`, 'Check the call id.', { callId: turn.callId });
      }
      throw err;
    }
  }

  async revise(id: string, text: string, interrupted: boolean): Promise<void> {
    // Both drivers count matched rows, changed or not: 0 = no such turn.
    const changed = await this.sql.run((session) => session.run(REVISE, [text, bit(interrupted), id]));
    if (changed === 0) {
      throw new DomainError('NOT_FOUND', `No transcript turn ${id}.`, 'Check the turn id.', { id });
    }
  }

  async recordLatency(id: string, latency: TurnLatency): Promise<void> {
    const changed = await this.sql.run((session) => session.run(RECORD_LATENCY, [this.sql.codec.json(latency), id]));
    if (changed === 0) throw new DomainError('NOT_FOUND', `No transcript turn ${id}.`, 'Check the turn id.', { id });
  }

  list(callId: string): Promise<CallTurnRecord[]> {
    return this.sql.run(async (session) => {
      const rows = await session.rows(SELECT_FOR_CALL, [callId]);
      return rows.map((row) => toCallTurn(row, this.sql.codec));
    });
  }
}
