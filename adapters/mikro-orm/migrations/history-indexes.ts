/**
 * The message history's indexes, the same DDL on SQLite and PostgreSQL (both have partial and expression
 * indexes). Each ends in (created_at, id): the newest-first order and the keyset cursor come straight from
 * the index, and a page reads `limit` entries, whatever the agent's total. The agent-only listing uses
 * AGENT_HISTORY_INDEX from the initial migration. message-history-query.ts builds
 * queries whose shape these indexes fit: the direction is always a literal (a partial index is used
 * only when the query names its predicate), and a filter without a direction becomes one branch per
 * direction merged on (created_at, id).
 *
 * Kept in one list because the entity definitions (schema drift check) declare them too.
 */
export interface HistoryIndex {
  name: string;
  create: string;
}

export const AGENT_HISTORY_INDEX = 'messages_agent_id_created_at_id_index';
export const DIRECTION_HISTORY_INDEX = 'messages_history_direction_index';
export const CHANNEL_HISTORY_INDEX = 'messages_history_channel_index';
export const CONTACT_HISTORY_INDEX = {
  outbound: 'messages_history_outbound_contact_index',
  inbound: 'messages_history_inbound_contact_index',
} as const;

const DIRECTION_INDEX: HistoryIndex = {
  // `direction` alone (an agent's inbox: inbound, newest first).
  name: DIRECTION_HISTORY_INDEX,
  create: `create index ${DIRECTION_HISTORY_INDEX} on messages (agent_id, direction, created_at, id)`,
};
const CHANNEL_INDEX: HistoryIndex = {
  // `channel`, with or without `direction`.
  name: CHANNEL_HISTORY_INDEX,
  create: `create index ${CHANNEL_HISTORY_INDEX} on messages (agent_id, channel, direction, created_at, id)`,
};

/** The other party of a message: `to` of outbound messages, `from` of inbound ones. */
const PARTY_COLUMN = { outbound: 'to_addr', inbound: 'from_addr' } as const;

/**
 * The contact indexes since Migration20261202060100_contact_indexes: the other party's address lower-cased,
 * one partial index per direction. The history's contact filter and the threads (contact-repository.ts) both
 * read through them, which replaced the threads' own idx_thread_messages_to / _from (four indexes to two:
 * every message insert maintains two index entries fewer).
 */
export const CONTACT_INDEXES: readonly HistoryIndex[] = (['outbound', 'inbound'] as const).map((direction) => ({
  name: CONTACT_HISTORY_INDEX[direction],
  create:
    `create index ${CONTACT_HISTORY_INDEX[direction]} on messages (agent_id, lower(${PARTY_COLUMN[direction]}), created_at, id) ` +
    `where direction = '${direction}'`,
}));

export const HISTORY_INDEXES: readonly HistoryIndex[] = [DIRECTION_INDEX, CHANNEL_INDEX, ...CONTACT_INDEXES];

/** The contact indexes as Migration20261201130100_history_indexes created them (exact addresses); a migration's DDL never changes. */
export const EXACT_CONTACT_INDEXES: readonly HistoryIndex[] = (['outbound', 'inbound'] as const).map((direction) => ({
  name: CONTACT_HISTORY_INDEX[direction],
  create:
    `create index ${CONTACT_HISTORY_INDEX[direction]} on messages (agent_id, ${PARTY_COLUMN[direction]}, created_at, id) ` +
    `where direction = '${direction}'`,
}));

/** What Migration20261201130100_history_indexes created. */
export const FIRST_HISTORY_INDEXES: readonly HistoryIndex[] = [DIRECTION_INDEX, CHANNEL_INDEX, ...EXACT_CONTACT_INDEXES];

/** The threads' message indexes of Migration20261201160100_contacts, folded into CONTACT_INDEXES since. */
export const THREAD_MESSAGE_INDEXES: readonly HistoryIndex[] = [
  { name: 'idx_thread_messages_to', create: 'create index idx_thread_messages_to on messages (agent_id, lower(to_addr), created_at, id)' },
  { name: 'idx_thread_messages_from', create: 'create index idx_thread_messages_from on messages (agent_id, lower(from_addr), created_at, id)' },
];
