import { Migration } from '@mikro-orm/migrations';

/**
 * MCP Streamable HTTP sessions, so that an instance that did not open a session can still serve it:
 * the owner principal and what the initialize request established. The index serves the idle sweep.
 */
export class Migration20261201130200_mcp_sessions extends Migration {
  override up(): void {
    this.addSql(`create table mcp_sessions (
      id varchar(64) not null primary key,
      owner varchar(128) not null,
      protocol_version varchar(32) not null,
      client_capabilities json not null,
      client_info json not null,
      created_at datetime not null,
      last_seen_at datetime not null
    )`);
    this.addSql('create index mcp_sessions_last_seen_at_index on mcp_sessions (last_seen_at)');
  }

  override down(): void {
    this.addSql('drop table if exists mcp_sessions');
  }
}
