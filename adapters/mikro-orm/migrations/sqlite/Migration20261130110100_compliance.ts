import { Migration } from '@mikro-orm/migrations';

/**
 * Compliance (see the PostgreSQL migration of the same name): opt-outs, the do-not-contact list, consent
 * records, erasure tombstones and per-agent compliance settings. Contacts appear only as hashes.
 */
export class Migration20261130110100_compliance extends Migration {
  override up(): void {
    // sender '*': operator-wide (every agent's numbers and addresses).
    this.addSql(`create table opt_outs (
      contact_hash varchar(64) not null,
      channel varchar(16) not null,
      sender varchar(320) not null,
      scope varchar(16) not null,
      source varchar(16) not null,
      created_at datetime not null,
      primary key (contact_hash, channel, sender, scope)
    )`);
    // agent_id '*': the global list.
    this.addSql(`create table do_not_contact (
      contact_hash varchar(64) not null,
      agent_id varchar(64) not null,
      source varchar(16) not null,
      created_at datetime not null,
      primary key (contact_hash, agent_id)
    )`);
    this.addSql(`create table consents (
      id varchar(64) not null primary key,
      agent_id varchar(64) not null references agents (id) on update cascade,
      contact_hash varchar(64) not null,
      channel varchar(16) not null,
      scope varchar(16) not null,
      status varchar(16) not null,
      source text not null,
      evidence text null,
      given_at datetime not null,
      created_at datetime not null
    )`);
    this.addSql('create index consents_agent_id_index on consents (agent_id)');
    this.addSql('create index consents_contact_hash_index on consents (contact_hash)');
    this.addSql(`create table erasure_tombstones (
      contact_hash varchar(64) not null primary key,
      erased_at datetime not null,
      counts json not null
    )`);
    this.addSql(`create table agent_compliance (
      agent_id varchar(64) not null primary key references agents (id) on update cascade,
      settings json not null,
      updated_at datetime not null
    )`);
  }

  override down(): void {
    for (const table of ['agent_compliance', 'erasure_tombstones', 'consents', 'do_not_contact', 'opt_outs']) this.addSql(`drop table if exists ${table}`);
  }
}
