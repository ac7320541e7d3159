import { Migration } from '@mikro-orm/migrations';

/**
 * Initial PostgreSQL schema. Tables are created unqualified: the connection's search_path points at the
 * configured schema. Ids compare with the "C" collation, so the id tie-break of the keyset listing is
 * plain byte order, as on SQLite, whatever the database's default collation.
 */
export class Migration20261124000000_initial extends Migration {
  override up(): void {
    this.addSql(`create table agents (
      id varchar(64) collate "C" not null,
      name text not null,
      token_hash text not null,
      callback_url text null,
      callback_secret text not null,
      status varchar(16) not null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null,
      constraint agents_pkey primary key (id),
      constraint agents_token_hash_unique unique (token_hash)
    )`);

    this.addSql(`create table agent_channels (
      id varchar(64) collate "C" not null,
      agent_id varchar(64) collate "C" not null,
      channel varchar(16) not null,
      address text not null,
      created_at timestamptz(3) not null,
      constraint agent_channels_pkey primary key (id),
      constraint agent_channels_channel_address_unique unique (channel, address),
      constraint agent_channels_agent_id_foreign foreign key (agent_id) references agents (id) on update cascade
    )`);
    this.addSql('create index agent_channels_agent_id_index on agent_channels (agent_id)');

    this.addSql(`create table messages (
      id varchar(64) collate "C" not null,
      agent_id varchar(64) collate "C" not null,
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
      metadata jsonb not null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null,
      constraint messages_pkey primary key (id),
      constraint messages_agent_id_idempotency_key_unique unique (agent_id, idempotency_key),
      constraint messages_agent_id_channel_provider_message_id_unique unique (agent_id, channel, provider_message_id),
      constraint messages_agent_id_foreign foreign key (agent_id) references agents (id) on update cascade
    )`);
    // Newest-first keyset listing per agent: (agent_id, created_at, id) serves both order and cursor.
    this.addSql('create index messages_agent_id_created_at_id_index on messages (agent_id, created_at, id)');

    this.addSql(`create table callback_deliveries (
      id varchar(64) collate "C" not null,
      agent_id varchar(64) collate "C" not null,
      message_id varchar(64) collate "C" not null,
      url text not null,
      payload text not null,
      status varchar(16) not null,
      attempts integer not null,
      next_attempt_at timestamptz(3) not null,
      last_error text null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null,
      constraint callback_deliveries_pkey primary key (id),
      constraint callback_deliveries_agent_id_foreign foreign key (agent_id) references agents (id) on update cascade,
      constraint callback_deliveries_message_id_foreign foreign key (message_id) references messages (id) on update cascade
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
