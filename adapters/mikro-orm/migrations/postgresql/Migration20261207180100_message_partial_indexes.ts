import { Migration } from '@mikro-orm/migrations';
import { IDEMPOTENCY_INDEX, IDEMPOTENCY_INDEX_CREATE, PENDING_INDEX, PENDING_INDEX_CREATE } from '../message-partial-indexes.js';

/**
 * The pending-message and idempotency-key indexes of `messages` hold only the rows they serve (message-partial-indexes.ts).
 * The idempotency key was a table constraint here; a partial unique index cannot be one.
 */
export class Migration20261207180100_message_partial_indexes extends Migration {
  override up(): void {
    this.addSql(`drop index if exists ${PENDING_INDEX}`);
    this.addSql(PENDING_INDEX_CREATE);
    this.addSql(`alter table messages drop constraint if exists ${IDEMPOTENCY_INDEX}`);
    this.addSql(IDEMPOTENCY_INDEX_CREATE);
  }

  override down(): void {
    this.addSql(`drop index if exists ${PENDING_INDEX}`);
    this.addSql(`create index ${PENDING_INDEX} on messages (status, updated_at)`);
    this.addSql(`drop index if exists ${IDEMPOTENCY_INDEX}`);
    this.addSql(`alter table messages add constraint ${IDEMPOTENCY_INDEX} unique (agent_id, idempotency_key)`);
  }
}
