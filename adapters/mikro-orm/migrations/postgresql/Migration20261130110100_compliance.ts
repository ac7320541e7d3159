import { Migration } from '@mikro-orm/migrations';

/**
 * Compliance: opt-outs (sender '*' = operator-wide), the do-not-contact list (agent_id '*' = global),
 * consent records, erasure tombstones and per-agent compliance settings. Contacts appear only as the
 * hex SHA-256 of their normalised form, so these rows outlive a contact's erasure and name nobody.
 */
export class Migration20261130110100_compliance extends Migration {
  override up(): void {
    this.addSql(`create table opt_outs (
      contact_hash varchar(64) collate "C" not null,
      channel varchar(16) not null,
      sender varchar(320) not null,
      scope varchar(16) not null,
      source varchar(16) not null,
      created_at timestamptz(3) not null,
      constraint opt_outs_pkey primary key (contact_hash, channel, sender, scope)
    )`);
    this.addSql(`create table do_not_contact (
      contact_hash varchar(64) collate "C" not null,
      agent_id varchar(64) collate "C" not null,
      source varchar(16) not null,
      created_at timestamptz(3) not null,
      constraint do_not_contact_pkey primary key (contact_hash, agent_id)
    )`);
    this.addSql(`create table consents (
      id varchar(64) collate "C" not null,
      agent_id varchar(64) collate "C" not null,
      contact_hash varchar(64) collate "C" not null,
      channel varchar(16) not null,
      scope varchar(16) not null,
      status varchar(16) not null,
      source text not null,
      evidence text null,
      given_at timestamptz(3) not null,
      created_at timestamptz(3) not null,
      constraint consents_pkey primary key (id),
      constraint consents_agent_id_foreign foreign key (agent_id) references agents (id) on update cascade
    )`);
    this.addSql('create index consents_agent_id_index on consents (agent_id)');
    this.addSql('create index consents_contact_hash_index on consents (contact_hash)');
    this.addSql(`create table erasure_tombstones (
      contact_hash varchar(64) collate "C" not null,
      erased_at timestamptz(3) not null,
      counts jsonb not null,
      constraint erasure_tombstones_pkey primary key (contact_hash)
    )`);
    this.addSql(`create table agent_compliance (
      agent_id varchar(64) collate "C" not null,
      settings jsonb not null,
      updated_at timestamptz(3) not null,
      constraint agent_compliance_pkey primary key (agent_id),
      constraint agent_compliance_agent_id_foreign foreign key (agent_id) references agents (id) on update cascade
    )`);
  }

  override down(): void {
    for (const table of ['agent_compliance', 'erasure_tombstones', 'consents', 'do_not_contact', 'opt_outs']) this.addSql(`drop table if exists ${table}`);
  }
}
