import { Migration } from '@mikro-orm/migrations';

/**
 * The resource subscriptions of MCP sessions, kept with the stored session so that whichever instance holds
 * the session's GET stream (now, or after the one holding it died) notifies it. They go with their session (the
 * repository removes them; no foreign key, so a session's record and its subscriptions are written independently).
 */
export class Migration20261203150100_mcp_session_subscriptions extends Migration {
  override up(): void {
    this.addSql(`create table mcp_session_subscriptions (
      session_id varchar(64) not null,
      uri varchar(512) not null,
      agent_id varchar(64) not null,
      created_at datetime not null,
      primary key (session_id, uri)
    )`);
  }

  override down(): void {
    this.addSql('drop table if exists mcp_session_subscriptions');
  }
}
