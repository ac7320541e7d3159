import { DomainError } from '../../ports/errors.js';
import type { McpSessionRecord, McpSessionRepository, McpSubscriptionRecord } from '../../ports/mcp-sessions.js';
import { jsonObject, text } from './row-values.js';
import type { SqlExecutor, SqlRow } from './sql-executor.js';

const COLUMNS = 'id, owner, protocol_version, client_capabilities, client_info, created_at, last_seen_at';
const INSERT = `INSERT INTO mcp_sessions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id`;
const SELECT_BY_ID = `SELECT ${COLUMNS} FROM mcp_sessions WHERE id = ?`;
const TOUCH = 'UPDATE mcp_sessions SET last_seen_at = ? WHERE id = ?';
const DELETE_BY_ID = 'DELETE FROM mcp_sessions WHERE id = ?';
const DELETE_IDLE = 'DELETE FROM mcp_sessions WHERE last_seen_at < ?';
// Subscriptions go with their session: removed in the same transaction, and any left by a subscribe that raced
// its session's removal are swept with the idle sessions.
const DELETE_SUBSCRIPTIONS_OF = 'DELETE FROM mcp_session_subscriptions WHERE session_id = ?';
const DELETE_ORPHAN_SUBSCRIPTIONS = 'DELETE FROM mcp_session_subscriptions WHERE session_id NOT IN (SELECT id FROM mcp_sessions)';
// Only for a stored session: a session that is not stored gets none.
const SUBSCRIBE =
  'INSERT INTO mcp_session_subscriptions (session_id, uri, agent_id, created_at) SELECT id, ?, ?, ? FROM mcp_sessions WHERE id = ? ' +
  'ON CONFLICT (session_id, uri) DO NOTHING';
const UNSUBSCRIBE = 'DELETE FROM mcp_session_subscriptions WHERE session_id = ? AND uri = ?';
const SUBSCRIPTIONS_OF = 'SELECT uri, agent_id FROM mcp_session_subscriptions WHERE session_id = ? ORDER BY uri';

export class SqlMcpSessionRepository implements McpSessionRepository {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(record: McpSessionRecord): Promise<void> {
    const { codec } = this.sql;
    const params = [
      record.id, record.owner, record.protocolVersion, codec.json(record.clientCapabilities), codec.json(record.clientInfo),
      codec.time(record.createdAt), codec.time(record.lastSeenAt),
    ];
    const inserted = await this.sql.run(async (session) => (await session.rows(INSERT, params)).length > 0);
    if (!inserted) throw new DomainError('CONFLICT', 'An MCP session with this id is already stored.', undefined, { id: record.id });
  }

  async findById(id: string): Promise<McpSessionRecord | null> {
    const [row] = await this.sql.read((session) => session.rows(SELECT_BY_ID, [id]));
    return row ? this.toRecord(row) : null;
  }

  async touch(id: string, at: Date): Promise<boolean> {
    return (await this.sql.run((session) => session.run(TOUCH, [this.sql.codec.time(at), id]))) > 0;
  }

  async remove(id: string): Promise<boolean> {
    return this.sql.atomic(async (session) => {
      await session.run(DELETE_SUBSCRIPTIONS_OF, [id]);
      return (await session.run(DELETE_BY_ID, [id])) > 0;
    });
  }

  removeIdleBefore(cutoff: Date): Promise<number> {
    return this.sql.atomic(async (session) => {
      const removed = await session.run(DELETE_IDLE, [this.sql.codec.time(cutoff)]);
      await session.run(DELETE_ORPHAN_SUBSCRIPTIONS, []);
      return removed;
    });
  }

  async subscribe(sessionId: string, { uri, agentId }: McpSubscriptionRecord, at: Date): Promise<void> {
    await this.sql.run((session) => session.run(SUBSCRIBE, [uri, agentId, this.sql.codec.time(at), sessionId]));
  }

  async unsubscribe(sessionId: string, uri: string): Promise<boolean> {
    return (await this.sql.run((session) => session.run(UNSUBSCRIBE, [sessionId, uri]))) > 0;
  }

  async subscriptionsOf(sessionId: string): Promise<McpSubscriptionRecord[]> {
    const rows = await this.sql.read((session) => session.rows(SUBSCRIPTIONS_OF, [sessionId]));
    return rows.map((row) => ({ uri: text(row, 'uri'), agentId: text(row, 'agent_id') }));
  }

  private toRecord(row: SqlRow): McpSessionRecord {
    const { codec } = this.sql;
    return {
      id: text(row, 'id'),
      owner: text(row, 'owner'),
      protocolVersion: text(row, 'protocol_version'),
      clientCapabilities: jsonObject(row, 'client_capabilities', codec),
      clientInfo: jsonObject(row, 'client_info', codec),
      createdAt: codec.readTime(row.created_at),
      lastSeenAt: codec.readTime(row.last_seen_at),
    };
  }
}
