import { Migration } from '@mikro-orm/migrations';

/**
 * Every server caches the caller a token stands for (agent and addresses) and each agent's limits, and must stop
 * serving them the moment they change — whoever changes them: another server, the operator's CLI, a hand-written
 * UPDATE. Statement triggers on the three tables NOTIFY the schema's `agents` channel as the writing transaction
 * commits (adapters/pg-notify/pg-agent-changes.ts listens). The channel name is built as channelName('agents',
 * schema) builds it in pg-notify-bus.ts, hashed alike when longer than PostgreSQL's 63 bytes. The payload names the
 * table behind a `db|` origin: no ids, no personal data. PostgreSQL only: SQLite has no other server to tell.
 */
export class Migration20261204100100_agent_change_notify extends Migration {
  override up(): void {
    this.addSql(`create or replace function comms_agents_changed() returns trigger language plpgsql as $$
      declare
        channel text := 'comms_agents_' || tg_table_schema;
      begin
        if octet_length(channel) > 63 then
          channel := 'comms_agents_' || left(encode(sha256(convert_to(channel, 'UTF8')), 'hex'), 32);
        end if;
        perform pg_notify(channel, 'db|' || tg_table_name);
        return null;
      end
    $$`);
    // A new agent changes no cached record (only found tokens are cached); its addresses and limits may.
    this.addSql('create trigger agents_changed after update or delete on agents for each statement execute function comms_agents_changed()');
    for (const table of ['agent_channels', 'agent_limits']) {
      this.addSql(`create trigger ${table}_changed after insert or update or delete on ${table} for each statement execute function comms_agents_changed()`);
    }
  }

  override down(): void {
    for (const table of ['agents', 'agent_channels', 'agent_limits']) this.addSql(`drop trigger if exists ${table}_changed on ${table}`);
    this.addSql('drop function if exists comms_agents_changed()');
  }
}
