import { Migration } from '@mikro-orm/migrations';

/**
 * Customers (tenants) owning agents, with their admin token's hash and their isolation mode; each agent's
 * customer, identity mode, shared number and own credential set; shared numbers with their default agent.
 * No foreign keys to customers: customers are closed, never deleted, and an agent's customer is checked by core.
 */
export class Migration20261202020100_customers extends Migration {
  override up(): void {
    this.addSql(`create table customers (
      id varchar(64) collate "C" not null,
      name text not null,
      isolation varchar(16) not null,
      status varchar(16) not null,
      admin_token_hash varchar(64) null,
      provider_account varchar(64) null,
      credentials_ref varchar(64) null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null,
      constraint customers_pkey primary key (id),
      constraint customers_admin_token_hash_unique unique (admin_token_hash)
    )`);
    this.addSql(`alter table agents
      add column customer_id varchar(64) collate "C" null,
      add column identity varchar(16) not null default 'dedicated',
      add column shared_number varchar(32) null,
      add column credentials_ref varchar(64) null,
      add column provider_account varchar(64) null`);
    this.addSql('create index agents_customer_id_index on agents (customer_id)');
    this.addSql('create index agents_shared_number_index on agents (shared_number)');
    this.addSql(`create table shared_numbers (
      address varchar(32) not null,
      customer_id varchar(64) collate "C" null,
      default_agent_id varchar(64) collate "C" null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null,
      constraint shared_numbers_pkey primary key (address)
    )`);
  }

  override down(): void {
    this.addSql('drop table if exists shared_numbers');
    this.addSql('drop index if exists agents_shared_number_index');
    this.addSql('drop index if exists agents_customer_id_index');
    this.addSql(`alter table agents
      drop column if exists provider_account, drop column if exists credentials_ref, drop column if exists shared_number,
      drop column if exists identity, drop column if exists customer_id`);
    this.addSql('drop table if exists customers');
  }
}
