import { Migration } from '@mikro-orm/migrations';

/**
 * Provisioning: the numbers bought for agents and the spare pool (an intent row is written before a number
 * is bought, so a crash never leaves a bought number unrecorded), and the journal of provisioning runs.
 */
export class Migration20261202010100_provisioning extends Migration {
  override up(): void {
    this.addSql(`create table phone_numbers (
      id varchar(64) not null primary key,
      provider varchar(64) not null,
      country varchar(8) not null,
      phone_number varchar(32) not null,
      provider_ref varchar(64) null,
      state varchar(16) not null,
      agent_id varchar(64) null,
      operation_id varchar(64) null,
      created_at datetime not null,
      updated_at datetime not null
    )`);
    this.addSql('create unique index phone_numbers_phone_number_unique on phone_numbers (phone_number)');
    this.addSql('create index phone_numbers_agent_id_index on phone_numbers (agent_id)');
    this.addSql('create index phone_numbers_pool_index on phone_numbers (provider, country, state, agent_id)');
    this.addSql(`create table provisioning_operations (
      id varchar(64) not null primary key,
      agent_id varchar(64) not null,
      kind varchar(16) not null,
      idempotency_key varchar(128) not null,
      request_hash varchar(64) not null,
      status varchar(16) not null,
      steps json not null,
      result json null,
      error_code varchar(64) null,
      lease_until datetime null,
      created_at datetime not null,
      updated_at datetime not null
    )`);
    this.addSql('create unique index provisioning_operations_key_unique on provisioning_operations (agent_id, kind, idempotency_key)');
  }

  override down(): void {
    this.addSql('drop table if exists provisioning_operations');
    this.addSql('drop table if exists phone_numbers');
  }
}
