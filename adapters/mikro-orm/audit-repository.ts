import type { AuditActorKind, AuditDraft, AuditEntry, AuditQuery, AuditRepository, AuditValue } from '../../ports/audit.js';
import { integer, jsonObject, member, nullableText, text } from './row-values.js';
import { SqlClauses } from './sql-clauses.js';
import type { SqlCodec, SqlExecutor, SqlRow } from './sql-executor.js';

const COLUMNS = 'id, seq, at, actor_kind, actor_id, action, agent_id, targets, outcome, request_id, prev_hash, hash';
const INSERT = `INSERT INTO audit_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const LAST = 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1';
/** The hash before the first entry. */
const GENESIS = '0'.repeat(64);
/**
 * Key of the PostgreSQL advisory lock that serialises appends across every server process on the
 * database; a transaction-level lock, so it is held until the entry commits (or rolls back) with the action.
 */
const APPEND_LOCK = 0x61756474; // "audt"

function toEntry(row: SqlRow, codec: SqlCodec): AuditEntry {
  return {
    id: text(row, 'id'),
    seq: integer(row, 'seq'),
    at: codec.readTime(row.at),
    actorKind: member<AuditActorKind>(row, 'actor_kind'),
    actorId: nullableText(row, 'actor_id'),
    action: text(row, 'action'),
    agentId: nullableText(row, 'agent_id'),
    targets: jsonObject(row, 'targets', codec) as Record<string, AuditValue>,
    outcome: text(row, 'outcome'),
    requestId: nullableText(row, 'request_id'),
    prevHash: text(row, 'prev_hash'),
    hash: text(row, 'hash'),
  };
}

export class SqlAuditRepository implements AuditRepository {
  constructor(private readonly sql: SqlExecutor) {}

  append(draft: AuditDraft, seal: (seq: number, prevHash: string) => string): Promise<AuditEntry> {
    const { codec } = this.sql;
    return this.sql.atomic(async (session) => {
      // SQLite has one writer and runs this read inside its write transaction: no lock needed there.
      if (this.sql.dialect === 'postgresql') await session.rows('SELECT pg_advisory_xact_lock(?)', [APPEND_LOCK]);
      const [last] = await session.rows(LAST, []);
      const seq = last ? integer(last, 'seq') + 1 : 1;
      const prevHash = last ? text(last, 'hash') : GENESIS;
      const entry: AuditEntry = { ...draft, seq, prevHash, hash: seal(seq, prevHash) };
      await session.run(INSERT, [
        entry.id, seq, codec.time(entry.at), entry.actorKind, entry.actorId, entry.action, entry.agentId,
        codec.json(entry.targets), entry.outcome, entry.requestId, prevHash, entry.hash,
      ]);
      return entry;
    });
  }

  list(query: AuditQuery): Promise<AuditEntry[]> {
    const where = new SqlClauses('1 = 1');
    if (query.action !== undefined) where.and('action = ?', query.action);
    if (query.agentId !== undefined) where.and('agent_id = ?', query.agentId);
    if (query.customerId !== undefined) {
      // A customer's entries: about its agents, or made with its admin token.
      where.and('(agent_id IN (SELECT id FROM agents WHERE customer_id = ?) OR (actor_kind = \'customer\' AND actor_id = ?))', query.customerId, query.customerId);
    }
    if (query.since !== undefined) where.and('at >= ?', this.sql.codec.time(query.since));
    if (query.until !== undefined) where.and('at < ?', this.sql.codec.time(query.until));
    if (query.beforeSeq !== undefined) where.and('seq < ?', query.beforeSeq);
    const sql = `SELECT ${COLUMNS} FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`;
    const params = [...where.params, Math.max(0, Math.floor(query.limit))];
    return this.sql.run(async (session) => (await session.rows(sql, params)).map((row) => toEntry(row, this.sql.codec)));
  }

  chain(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    const sql = `SELECT ${COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq ASC LIMIT ?`;
    return this.sql.run(async (session) => (await session.rows(sql, [afterSeq, limit])).map((row) => toEntry(row, this.sql.codec)));
  }
}
