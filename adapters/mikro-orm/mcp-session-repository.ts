import { DomainError } from '../../ports/errors.js';
import type { McpSessionRecord, McpSessionRepository } from '../../ports/mcp-sessions.js';
import { jsonObject, text } from './row-values.js';
import type { SqlExecutor, SqlRow } from './sql-executor.js';

const COLUMNS = 'id, owner, protocol_version, client_capabilities, client_info, created_at, last_seen_at';
const INSERT = `INSERT INTO mcp_sessions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id`;
const SELECT_BY_ID = `SELECT ${COLUMNS} FROM mcp_sessions WHERE id = ?`;
const TOUCH = 'UPDATE mcp_sessions SET last_seen_at = ? WHERE id = ?';
const DELETE_BY_ID = 'DELETE FROM mcp_sessions WHERE id = ?';
const DELETE_IDLE = 'DELETE FROM mcp_sessions WHERE last_seen_at < ?';

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
    return (await this.sql.run((session) => session.run(DELETE_BY_ID, [id]))) > 0;
  }

  removeIdleBefore(cutoff: Date): Promise<number> {
    return this.sql.run((session) => session.run(DELETE_IDLE, [this.sql.codec.time(cutoff)]));
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
