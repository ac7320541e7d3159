import { Migration } from '@mikro-orm/migrations';

/**
 * Usage and limits: usage records (one per billable action), limit counters (one row per agent, counter
 * and window, with the cap of its last claim), per-agent limit settings, the
 * alerts already sent, and outbox events not tied to a message (`usage.threshold`).
 */
export class Migration20261130100100_usage extends Migration {
  override up(): void {
    this.addSql(`create table usage_records (
      id varchar(64) collate "C" not null,
      agent_id varchar(64) collate "C" not null,
      channel varchar(16) not null,
      action varchar(16) not null,
      units integer not null,
      unit varchar(16) not null,
      provider text not null,
      destination varchar(16) null,
      cost_micros bigint not null,
      price_micros bigint not null,
      markup_bp integer not null,
      currency varchar(8) not null,
      cost_source varchar(16) not null,
      state varchar(16) not null,
      held_until timestamptz(3) null,
      shares jsonb not null,
      message_id varchar(64) collate "C" null,
      call_id varchar(64) collate "C" null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null,
      constraint usage_records_pkey primary key (id),
      constraint usage_records_agent_id_foreign foreign key (agent_id) references agents (id) on update cascade
    )`);
    this.addSql('create index usage_records_agent_id_created_at_index on usage_records (agent_id, created_at)');
    this.addSql('create index usage_records_state_held_until_index on usage_records (state, held_until)');
    this.addSql('create index usage_records_message_id_index on usage_records (message_id)');
    this.addSql('create index usage_records_call_id_index on usage_records (call_id)');

    this.addSql(`create table usage_counters (
      agent_id varchar(64) collate "C" not null,
      counter varchar(200) collate "C" not null,
      window_start timestamptz(3) not null,
      window_end timestamptz(3) not null,
      used bigint not null,
      cap bigint not null,
      constraint usage_counters_pkey primary key (agent_id, counter, window_start)
    )`);

    this.addSql(`create table agent_limits (
      agent_id varchar(64) collate "C" not null,
      tier varchar(64) null,
      overrides jsonb not null,
      updated_at timestamptz(3) not null,
      constraint agent_limits_pkey primary key (agent_id),
      constraint agent_limits_agent_id_foreign foreign key (agent_id) references agents (id) on update cascade
    )`);

    this.addSql(`create table usage_alerts (
      agent_id varchar(64) collate "C" not null,
      period varchar(250) collate "C" not null,
      threshold integer not null,
      created_at timestamptz(3) not null,
      constraint usage_alerts_pkey primary key (agent_id, period, threshold)
    )`);

    this.addSql('alter table callback_deliveries alter column message_id drop not null');
  }

  override down(): void {
    this.addSql('delete from callback_deliveries where message_id is null');
    this.addSql('alter table callback_deliveries alter column message_id set not null');
    for (const table of ['usage_alerts', 'agent_limits', 'usage_counters', 'usage_records']) this.addSql(`drop table if exists ${table}`);
  }
}
