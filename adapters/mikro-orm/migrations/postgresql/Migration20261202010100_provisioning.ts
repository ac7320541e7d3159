import { Migration } from '@mikro-orm/migrations';

/**
 * Provisioning: the numbers bought for agents and the spare pool (an intent row is written before a number
 * is bought, so a crash never leaves a bought number unrecorded), and the journal of provisioning runs.
 */
export class Migration20261202010100_provisioning extends Migration {
  override up(): void {
    this.addSql(`create table phone_numbers (
      id varchar(64) collate "C" not null,
      provider varchar(64) not null,
      country varchar(8) not null,
      phone_number varchar(32) not null,
      provider_ref varchar(64) null,
      state varchar(16) not null,
      agent_id varchar(64) collate "C" null,
      operation_id varchar(64) collate "C" null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null,
      constraint phone_numbers_pkey primary key (id),
      constraint phone_numbers_phone_number_unique unique (phone_number)
    )`);
    this.addSql('create index phone_numbers_agent_id_index on phone_numbers (agent_id)');
    this.addSql('create index phone_numbers_pool_index on phone_numbers (provider, country, state, agent_id)');
    this.addSql(`create table provisioning_operations (
      id varchar(64) collate "C" not null,
      agent_id varchar(64) collate "C" not null,
      kind varchar(16) not null,
      idempotency_key varchar(128) not null,
      request_hash varchar(64) not null,
      status varchar(16) not null,
      steps jsonb not null,
      result jsonb null,
      error_code varchar(64) null,
      lease_until timestamptz(3) null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null,
      constraint provisioning_operations_pkey primary key (id),
      constraint provisioning_operations_key_unique unique (agent_id, kind, idempotency_key)
    )`);
  }

  override down(): void {
    this.addSql('drop table if exists provisioning_operations');
    this.addSql('drop table if exists phone_numbers');
  }
}
