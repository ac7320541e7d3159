import { Migration } from '@mikro-orm/migrations';

/** Lets the recovery of sends cut short by a crash find `pending` messages and unplaced calls by age cheaply. */
export class Migration20261130080001_stuck_sends extends Migration {
  override up(): void {
    this.addSql('create index messages_status_updated_at_index on messages (status, updated_at)');
    this.addSql('create index call_logs_status_updated_at_index on call_logs (status, updated_at)');
  }

  override down(): void {
    this.addSql('drop index if exists messages_status_updated_at_index');
    this.addSql('drop index if exists call_logs_status_updated_at_index');
  }
}
