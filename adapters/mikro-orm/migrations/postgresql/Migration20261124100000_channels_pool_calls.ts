import { Migration } from '@mikro-orm/migrations';

/**
 * The shared WhatsApp sender pool and the call log. Same conventions as the initial migration:
 * unqualified tables (search_path), ids with the "C" collation so keyset tie-breaks are byte order.
 */
export class Migration20261124100000_channels_pool_calls extends Migration {
  override up(): void {
    // agent_id null = shared by every agent. `no action` on delete: a deleted agent's sender must not
    // silently become everybody's.
    this.addSql(`create table whatsapp_senders (
      id varchar(64) collate "C" not null,
      address text not null,
      agent_id varchar(64) collate "C" null,
      created_at timestamptz(3) not null,
      constraint whatsapp_senders_pkey primary key (id),
      constraint whatsapp_senders_address_unique unique (address),
      constraint whatsapp_senders_agent_id_foreign foreign key (agent_id) references agents (id)
        on update cascade on delete no action
    )`);
    this.addSql('create index whatsapp_senders_agent_id_index on whatsapp_senders (agent_id)');

    this.addSql(`create table call_logs (
      id varchar(64) collate "C" not null,
      agent_id varchar(64) collate "C" not null,
      direction varchar(16) not null,
      from_addr text not null,
      to_addr text not null,
      status varchar(16) not null,
      history jsonb not null,
      provider text not null,
      provider_call_id text null,
      audio_url text null,
      audio_key text null,
      started_at timestamptz(3) not null,
      answered_at timestamptz(3) null,
      ended_at timestamptz(3) null,
      duration_seconds integer null,
      price_micros bigint null,
      currency text null,
      error_code text null,
      error_message text null,
      metadata jsonb not null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null,
      version integer not null,
      constraint call_logs_pkey primary key (id),
      constraint call_logs_agent_id_provider_call_id_unique unique (agent_id, provider_call_id),
      constraint call_logs_agent_id_foreign foreign key (agent_id) references agents (id) on update cascade
    )`);
    // Newest-first keyset listing per agent, as for messages.
    this.addSql('create index call_logs_agent_id_created_at_id_index on call_logs (agent_id, created_at, id)');
  }

  override down(): void {
    for (const table of ['call_logs', 'whatsapp_senders']) this.addSql(`drop table if exists ${table}`);
  }
}
