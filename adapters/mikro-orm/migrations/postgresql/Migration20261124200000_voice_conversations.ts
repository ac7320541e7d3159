import { Migration } from '@mikro-orm/migrations';

/**
 * Live voice conversations: per-agent voice settings and the transcript turns of each call. Same
 * conventions as the earlier migrations: unqualified tables (search_path), ids with the "C" collation.
 */
export class Migration20261124200000_voice_conversations extends Migration {
  override up(): void {
    // A constant default is stored in the catalog (PostgreSQL 11+): no table rewrite, and existing
    // agents get "no settings" ({}), which means the server's defaults.
    this.addSql(`alter table agents add column voice_settings jsonb not null default '{}'`);

    this.addSql(`create table call_turns (
      id varchar(64) collate "C" not null,
      call_id varchar(64) collate "C" not null,
      seq integer not null,
      speaker varchar(16) not null,
      text text not null,
      interrupted boolean not null,
      created_at timestamptz(3) not null,
      constraint call_turns_pkey primary key (id),
      constraint call_turns_call_id_seq_unique unique (call_id, seq),
      constraint call_turns_call_id_foreign foreign key (call_id) references call_logs (id) on update cascade
    )`);
  }

  override down(): void {
    this.addSql('drop table if exists call_turns');
    this.addSql('alter table agents drop column if exists voice_settings');
  }
}
