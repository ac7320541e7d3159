import { Migration } from '@mikro-orm/migrations';

/** The latency breakdown of an answered turn (JSON), null for turns that were not measured. */
export class Migration20261130170100_turn_latency extends Migration {
  override up(): void {
    this.addSql('alter table call_turns add column latency jsonb null');
  }

  override down(): void {
    this.addSql('alter table call_turns drop column if exists latency');
  }
}
