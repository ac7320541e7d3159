import { Migration } from '@mikro-orm/migrations';

/**
 * Initial SQLite schema. Timestamps are `datetime` columns holding epoch milliseconds (integers), the
 * way MikroORM stores SQLite dates. One statement per addSql: the driver prepares them one at a time.
 */
export class Migration20261124000000_initial extends Migration {
  override up(): void {
    this.addSql(`create table agents (
      id varchar(64) not null primary key,
      name text not null,
      token_hash text not null,
      callback_url text null,
      callback_secret text not null,
      status varchar(16) not null,
      created_at datetime not null,
      updated_at datetime not null
    )`);
    this.addSql('create unique index agents_token_hash_unique on agents (token_hash)');

    this.addSql(`create table agent_channels (
      id varchar(64) not null primary key,
      agent_id varchar(64) not null references agents (id) on update cascade,
      channel varchar(16) not null,
      address text not null,
      created_at datetime not null
    )`);
    this.addSql('create index agent_channels_agent_id_index on agent_channels (agent_id)');
    this.addSql('create unique index agent_channels_channel_address_unique on agent_channels (channel, address)');

    this.addSql(`create table messages (
      id varchar(64) not null primary key,
      agent_id varchar(64) not null references agents (id) on update cascade,
      channel varchar(16) not null,
      direction varchar(16) not null,
      from_addr text not null,
      to_addr text not null,
      body text not null,
      status varchar(16) not null,
      provider text not null,
      provider_message_id text null,
      idempotency_key text null,
      request_hash text null,
      error_code text null,
      error_message text null,
      metadata json not null,
      created_at datetime not null,
      updated_at datetime not null
    )`);
    // Newest-first keyset listing per agent: (agent_id, created_at, id) serves both order and cursor.
    this.addSql('create index messages_agent_id_created_at_id_index on messages (agent_id, created_at, id)');
    this.addSql('create unique index messages_agent_id_idempotency_key_unique on messages (agent_id, idempotency_key)');
    this.addSql(
      'create unique index messages_agent_id_channel_provider_message_id_unique ' +
        'on messages (agent_id, channel, provider_message_id)',
    );

    this.addSql(`create table callback_deliveries (
      id varchar(64) not null primary key,
      agent_id varchar(64) not null references agents (id) on update cascade,
      message_id varchar(64) not null references messages (id) on update cascade,
      url text not null,
      payload text not null,
      status varchar(16) not null,
      attempts integer not null,
      next_attempt_at datetime not null,
      last_error text null,
      created_at datetime not null,
      updated_at datetime not null
    )`);
    this.addSql('create index callback_deliveries_message_id_index on callback_deliveries (message_id)');
    this.addSql(
      'create index callback_deliveries_status_next_attempt_at_index on callback_deliveries (status, next_attempt_at)',
    );
  }

  override down(): void {
    for (const table of ['callback_deliveries', 'messages', 'agent_channels', 'agents']) {
      this.addSql(`drop table if exists ${table}`);
    }
  }
}
