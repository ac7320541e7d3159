import { Migration } from '@mikro-orm/migrations';
import { FIRST_HISTORY_INDEXES as HISTORY_INDEXES } from '../history-indexes.js';

/**
 * One index per access path of the message history (comms_get_messages), so no filter walks all the
 * rows of an agent: see history-indexes.ts for which query shape each one serves.
 */
export class Migration20261201130100_history_indexes extends Migration {
  override up(): void {
    for (const index of HISTORY_INDEXES) this.addSql(index.create);
  }

  override down(): void {
    for (const index of HISTORY_INDEXES) this.addSql(`drop index if exists ${index.name}`);
  }
}
