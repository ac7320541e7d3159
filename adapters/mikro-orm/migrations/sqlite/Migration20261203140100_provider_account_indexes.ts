import { Migration } from '@mikro-orm/migrations';

/**
 * The provider (sub)account columns of customers and agents, indexed: every webhook a Twilio subaccount signs is
 * matched to that subaccount's credential set by its AccountSid before the signature is checked, so the lookup must
 * stay cheap however many customers there are. Same DDL on both databases.
 */
export class Migration20261203140100_provider_account_indexes extends Migration {
  override up(): void {
    this.addSql('create index if not exists customers_provider_account_index on customers (provider_account)');
    this.addSql('create index if not exists agents_provider_account_index on agents (provider_account)');
  }

  override down(): void {
    this.addSql('drop index if exists agents_provider_account_index');
    this.addSql('drop index if exists customers_provider_account_index');
  }
}
