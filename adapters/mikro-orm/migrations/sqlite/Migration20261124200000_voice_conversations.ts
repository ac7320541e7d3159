import { Migration } from '@mikro-orm/migrations';

/**
 * Live voice conversations: per-agent voice settings and the transcript turns of each call. Same
 * conventions as the earlier migrations: epoch-millisecond `datetime` columns, one statement per addSql.
 */
export class Migration20261124200000_voice_conversations extends Migration {
  override up(): void {
    // A constant default lets SQLite add a NOT NULL column without rewriting the table; existing
    // agents get "no settings" ({}), which means the server's defaults.
    this.addSql(`alter table agents add column voice_settings json not null default '{}'`);

    // Booleans are integers (0/1) on SQLite, as MikroORM declares them.
    this.addSql(`create table call_turns (
      id varchar(64) not null primary key,
      call_id varchar(64) not null references call_logs (id) on update cascade,
      seq integer not null,
      speaker varchar(16) not null,
      text text not null,
      interrupted integer not null,
      created_at datetime not null
    )`);
    // Serves the foreign key and the transcript listing (by call, in seq order) as well.
    this.addSql('create unique index call_turns_call_id_seq_unique on call_turns (call_id, seq)');
  }

  override down(): void {
    this.addSql('drop table if exists call_turns');
    this.addSql('alter table agents drop column voice_settings');
  }
}
