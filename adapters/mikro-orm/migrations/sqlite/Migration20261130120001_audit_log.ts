import { Migration } from '@mikro-orm/migrations';

/**
 * The audit trail: append-only, each entry holding the SHA-256 of the entry before it and of its own
 * canonical content. `seq` is unique, so two writers could never both take the same place in the chain.
 */
export class Migration20261130120001_audit_log extends Migration {
  override up(): void {
    this.addSql(`create table audit_log (
      id varchar(64) not null primary key,
      seq integer not null,
      at datetime not null,
      actor_kind varchar(16) not null,
      actor_id varchar(64) null,
      action varchar(64) not null,
      agent_id varchar(64) null,
      targets json not null,
      outcome varchar(64) not null,
      request_id varchar(64) null,
      prev_hash varchar(64) not null,
      hash varchar(64) not null
    )`);
    this.addSql('create unique index audit_log_seq_unique on audit_log (seq)');
    this.addSql('create index audit_log_agent_id_seq_index on audit_log (agent_id, seq)');
    this.addSql('create index audit_log_action_seq_index on audit_log (action, seq)');
  }

  override down(): void {
    this.addSql('drop table if exists audit_log');
  }
}
