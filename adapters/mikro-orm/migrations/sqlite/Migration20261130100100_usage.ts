import { Migration } from '@mikro-orm/migrations';

/**
 * Usage and limits (see the PostgreSQL migration of the same name). SQLite cannot drop a NOT NULL, so
 * callback_deliveries is rebuilt with a nullable message_id. Epoch-millisecond `datetime` columns, one
 * statement per addSql.
 */
export class Migration20261130100100_usage extends Migration {
  override up(): void {
    this.addSql(`create table usage_records (
      id varchar(64) not null primary key,
      agent_id varchar(64) not null references agents (id) on update cascade,
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
      held_until datetime null,
      shares json not null,
      message_id varchar(64) null,
      call_id varchar(64) null,
      created_at datetime not null,
      updated_at datetime not null
    )`);
    this.addSql('create index usage_records_agent_id_created_at_index on usage_records (agent_id, created_at)');
    this.addSql('create index usage_records_state_held_until_index on usage_records (state, held_until)');
    this.addSql('create index usage_records_message_id_index on usage_records (message_id)');
    this.addSql('create index usage_records_call_id_index on usage_records (call_id)');

    // Without rowid: the counters are looked up and upserted by their key only, so one B-tree instead of
    // a table plus its key index halves the work of each claim.
    this.addSql(`create table usage_counters (
      agent_id varchar(64) not null,
      counter varchar(200) not null,
      window_start datetime not null,
      window_end datetime not null,
      used bigint not null,
      cap bigint not null,
      primary key (agent_id, counter, window_start)
    ) without rowid`);

    this.addSql(`create table agent_limits (
      agent_id varchar(64) not null primary key references agents (id) on update cascade,
      tier varchar(64) null,
      overrides json not null,
      updated_at datetime not null
    )`);

    this.addSql(`create table usage_alerts (
      agent_id varchar(64) not null,
      period varchar(250) not null,
      threshold integer not null,
      created_at datetime not null,
      primary key (agent_id, period, threshold)
    )`);

    this.addSql(`create table callback_deliveries_next (
      id varchar(64) not null primary key,
      agent_id varchar(64) not null references agents (id) on update cascade,
      message_id varchar(64) null references messages (id) on update cascade,
      url text not null,
      payload text not null,
      status varchar(16) not null,
      attempts integer not null,
      next_attempt_at datetime not null,
      last_error text null,
      created_at datetime not null,
      updated_at datetime not null
    )`);
    this.addSql('insert into callback_deliveries_next select * from callback_deliveries');
    this.addSql('drop table callback_deliveries');
    this.addSql('alter table callback_deliveries_next rename to callback_deliveries');
    this.addSql('create index callback_deliveries_message_id_index on callback_deliveries (message_id)');
    this.addSql(
      'create index callback_deliveries_status_next_attempt_at_index on callback_deliveries (status, next_attempt_at)',
    );
  }

  override down(): void {
    for (const table of ['usage_alerts', 'agent_limits', 'usage_counters', 'usage_records']) this.addSql(`drop table if exists ${table}`);
  }
}
