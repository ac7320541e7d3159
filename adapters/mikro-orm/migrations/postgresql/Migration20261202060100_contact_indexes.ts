import { Migration } from '@mikro-orm/migrations';
import { CONTACT_INDEXES, EXACT_CONTACT_INDEXES, THREAD_MESSAGE_INDEXES } from '../history-indexes.js';

/**
 * One index per direction for a message's other party, lower-cased, serving both the history's contact filter
 * and the threads: replaces the history's exact-address contact indexes and the threads' idx_thread_messages_to
 * / _from (history-indexes.ts). Same DDL on both databases.
 */
export class Migration20261202060100_contact_indexes extends Migration {
  override up(): void {
    for (const index of [...EXACT_CONTACT_INDEXES, ...THREAD_MESSAGE_INDEXES]) this.addSql(`drop index if exists ${index.name}`);
    for (const index of CONTACT_INDEXES) this.addSql(index.create);
  }

  override down(): void {
    for (const index of CONTACT_INDEXES) this.addSql(`drop index if exists ${index.name}`);
    for (const index of [...EXACT_CONTACT_INDEXES, ...THREAD_MESSAGE_INDEXES]) this.addSql(index.create);
  }
}
