/**
 * The SQL of a message-history page (comms_get_messages), shaped so that every filter combination is
 * served by an index read in order, `limit` entries at a time (see migrations/history-indexes.ts):
 *
 * - no channel, direction or contact: (agent_id, created_at, id);
 * - a direction: one branch with the direction as a literal (partial indexes need it spelled out);
 * - a channel or a contact without a direction: one branch per direction, each index-ordered and
 *   limited, merged on (created_at, id). An OR of the two directions would instead make the database
 *   walk every row of the agent (measured: 171 ms for one contact at 1M rows).
 *
 * SQLite's planner, without statistics (ANALYZE is never run on a deployed file), picks the index whose
 * order matches the ORDER BY over the most selective one, e.g. the channel index for channel + contact,
 * walking all the agent's rows on that channel. So on SQLite each branch names its index (INDEXED BY);
 * PostgreSQL chooses from its statistics (database-history-plans.test.ts checks both).
 */
import type { Direction } from '../../ports/records.js';
import {
  AGENT_HISTORY_INDEX, CHANNEL_HISTORY_INDEX, CONTACT_HISTORY_INDEX, DIRECTION_HISTORY_INDEX,
} from './migrations/history-indexes.js';
import type { MessageQuery } from '../../ports/repositories.js';
import { MESSAGE_COLUMNS } from './row-mapping.js';
import { SqlClauses } from './sql-clauses.js';
import type { SqlExecutor, SqlParam } from './sql-executor.js';

const NEWEST_FIRST = 'ORDER BY created_at DESC, id DESC LIMIT ?';
/** Literals, never parameters: the partial contact indexes are chosen only for a spelled-out direction. */
const DIRECTION_LITERAL: Record<Direction, string> = { outbound: "'outbound'", inbound: "'inbound'" };
/** The other party's column in each direction. */
const CONTACT_COLUMN: Record<Direction, string> = { outbound: 'to_addr', inbound: 'from_addr' };

export interface HistorySql {
  sql: string;
  params: SqlParam[];
}

export type HistoryDialect = Pick<SqlExecutor, 'codec' | 'dialect'>;

export function messageHistorySql(query: MessageQuery, limit: number, target: HistoryDialect): HistorySql {
  const branches = branchDirections(query).map((direction) => branch(query, direction, limit, target));
  if (branches.length === 1) return branches[0] as HistorySql;
  // Each branch returns at most `limit` rows in order, so the merge sorts at most 2 × limit rows.
  const sql = `${branches.map((b, i) => `SELECT * FROM (${b.sql}) AS branch${i}`).join(' UNION ALL ')} ${NEWEST_FIRST}`;
  return { sql, params: [...branches.flatMap((b) => b.params), limit] };
}

/** null: no direction clause at all (the agent-wide index). */
function branchDirections(query: MessageQuery): (Direction | null)[] {
  if (query.direction !== undefined) return [query.direction];
  if (query.channel !== undefined || query.contact !== undefined) return ['outbound', 'inbound'];
  return [null];
}

/** The index a branch is read through: the most selective its filters allow. */
function branchIndex(query: MessageQuery, direction: Direction | null): string {
  if (direction === null) return AGENT_HISTORY_INDEX;
  if (query.contact !== undefined) return CONTACT_HISTORY_INDEX[direction];
  return query.channel !== undefined ? CHANNEL_HISTORY_INDEX : DIRECTION_HISTORY_INDEX;
}

function branch(query: MessageQuery, direction: Direction | null, limit: number, { codec, dialect }: HistoryDialect): HistorySql {
  const where = new SqlClauses('agent_id = ?', query.agentId);
  if (direction !== null) where.and(`direction = ${DIRECTION_LITERAL[direction]}`);
  if (query.channel !== undefined) where.and('channel = ?', query.channel);
  // Lower-cased on both sides, as the contact index is built (an address's case is not part of it).
  if (query.contact !== undefined && direction !== null) where.and(`lower(${CONTACT_COLUMN[direction]}) = lower(?)`, query.contact);
  if (query.since !== undefined) where.and('created_at >= ?', codec.time(query.since));
  if (query.before !== undefined) {
    // Row-value comparison: strictly older, ties on created_at broken by id, and index-friendly.
    where.and('(created_at, id) < (?, ?)', codec.time(query.before.createdAt), query.before.id);
  }
  const indexedBy = dialect === 'sqlite' ? ` INDEXED BY ${branchIndex(query, direction)}` : '';
  return {
    sql: `SELECT ${MESSAGE_COLUMNS} FROM messages${indexedBy} WHERE ${where.join(' AND ')} ${NEWEST_FIRST}`,
    params: [...where.params, limit],
  };
}
