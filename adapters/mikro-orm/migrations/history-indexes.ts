/**
 * The message history's indexes, the same DDL on SQLite and PostgreSQL (both have partial indexes).
 * Each ends in (created_at, id): the newest-first order and the keyset cursor come straight from the
 * index, and a page reads `limit` entries, whatever the agent's total. The agent-only listing uses
 * AGENT_HISTORY_INDEX from the initial migration. message-repository.ts builds
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

export const HISTORY_INDEXES: readonly HistoryIndex[] = [
  // `direction` alone (an agent's inbox: inbound, newest first).
  {
    name: 'messages_history_direction_index',
    create: 'create index messages_history_direction_index on messages (agent_id, direction, created_at, id)',
  },
  // `channel`, with or without `direction`.
  {
    name: 'messages_history_channel_index',
    create: 'create index messages_history_channel_index on messages (agent_id, channel, direction, created_at, id)',
  },
  // `contact`: the other party is `to` of outbound messages and `from` of inbound ones.
  {
    name: 'messages_history_outbound_contact_index',
    create:
      'create index messages_history_outbound_contact_index on messages (agent_id, to_addr, created_at, id) ' +
      "where direction = 'outbound'",
  },
  {
    name: 'messages_history_inbound_contact_index',
    create:
      'create index messages_history_inbound_contact_index on messages (agent_id, from_addr, created_at, id) ' +
      "where direction = 'inbound'",
  },
];
