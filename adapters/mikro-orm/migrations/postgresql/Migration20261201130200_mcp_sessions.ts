import { Migration } from '@mikro-orm/migrations';

/**
 * MCP Streamable HTTP sessions, so that an instance that did not open a session can still serve it:
 * the owner principal and what the initialize request established. The index serves the idle sweep.
 */
export class Migration20261201130200_mcp_sessions extends Migration {
  override up(): void {
    this.addSql(`create table mcp_sessions (
      id varchar(64) collate "C" not null,
      owner varchar(128) collate "C" not null,
      protocol_version varchar(32) not null,
      client_capabilities jsonb not null,
      client_info jsonb not null,
      created_at timestamptz(3) not null,
      last_seen_at timestamptz(3) not null,
      constraint mcp_sessions_pkey primary key (id)
    )`);
    this.addSql('create index mcp_sessions_last_seen_at_index on mcp_sessions (last_seen_at)');
  }

  override down(): void {
    this.addSql('drop table if exists mcp_sessions');
  }
}
