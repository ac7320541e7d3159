import { Migration } from '@mikro-orm/migrations';

/**
 * The shared WhatsApp sender pool and the call log. Same conventions as the initial migration:
 * timestamps are epoch milliseconds in `datetime` columns, one statement per addSql.
 */
export class Migration20261124100000_channels_pool_calls extends Migration {
  override up(): void {
    // agent_id null = shared by every agent. `no action` on delete: a deleted agent's sender must not
    // silently become everybody's.
    this.addSql(`create table whatsapp_senders (
      id varchar(64) not null primary key,
      address text not null,
      agent_id varchar(64) null references agents (id) on delete no action on update cascade,
      created_at datetime not null
    )`);
    this.addSql('create unique index whatsapp_senders_address_unique on whatsapp_senders (address)');
    this.addSql('create index whatsapp_senders_agent_id_index on whatsapp_senders (agent_id)');

    this.addSql(`create table call_logs (
      id varchar(64) not null primary key,
      agent_id varchar(64) not null references agents (id) on update cascade,
      direction varchar(16) not null,
      from_addr text not null,
      to_addr text not null,
      status varchar(16) not null,
      history json not null,
      provider text not null,
      provider_call_id text null,
      audio_url text null,
      audio_key text null,
      started_at datetime not null,
      answered_at datetime null,
      ended_at datetime null,
      duration_seconds integer null,
      price_micros bigint null,
      currency text null,
      error_code text null,
      error_message text null,
      metadata json not null,
      created_at datetime not null,
      updated_at datetime not null,
      version integer not null
    )`);
    // Newest-first keyset listing per agent, as for messages.
    this.addSql('create index call_logs_agent_id_created_at_id_index on call_logs (agent_id, created_at, id)');
    this.addSql(
      'create unique index call_logs_agent_id_provider_call_id_unique on call_logs (agent_id, provider_call_id)',
    );
  }

  override down(): void {
    for (const table of ['call_logs', 'whatsapp_senders']) this.addSql(`drop table if exists ${table}`);
  }
}
