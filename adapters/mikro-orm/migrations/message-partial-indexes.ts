/**
 * Two indexes of `messages` that hold only the rows their queries read, since Migration20261207180100 (same DDL on
 * SQLite and PostgreSQL; the entity definitions declare them too, for the schema drift check). Every message row
 * used to enter both: an inbound one (every webhook) wrote two index entries no query would ever look up, and each
 * status change of a send moved its entry in the status index. Per batch of inbound SQLite inserts that is ~15 %
 * fewer WAL pages to write and, later, to checkpoint.
 *
 * - The recovery of sends cut short reads `pending` messages alone (SELECT_STUCK_PENDING); a message leaves the
 *   index with its first status change, and received ones never enter it.
 * - Idempotency keys are given to sends only; rows without a key (inbound) could never conflict on it (NULLs are
 *   distinct). An insert whose conflict target is this index names its predicate (IDEMPOTENCY_CONFLICT).
 */
export const PENDING_INDEX = 'messages_status_updated_at_index';
export const IDEMPOTENCY_INDEX = 'messages_agent_id_idempotency_key_unique';

export const PENDING_INDEX_CREATE = `create index ${PENDING_INDEX} on messages (status, updated_at) where status = 'pending'`;
export const IDEMPOTENCY_INDEX_CREATE =
  `create unique index ${IDEMPOTENCY_INDEX} on messages (agent_id, idempotency_key) where idempotency_key is not null`;

/** The conflict target of an insert deduplicated by its idempotency key: the partial unique index's columns and predicate. */
export const IDEMPOTENCY_CONFLICT = 'ON CONFLICT (agent_id, idempotency_key) WHERE idempotency_key IS NOT NULL';
