import { Migration } from '@mikro-orm/migrations';

/** Why an agent's sending is suspended (an anomaly finding), null while it may send. */
export class Migration20261130120001_agent_suspension extends Migration {
  override up(): void {
    this.addSql('alter table agents add column sending_suspended varchar(32) null');
  }

  override down(): void {
    this.addSql('alter table agents drop column if exists sending_suspended');
  }
}
