import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261201130100_history_indexes } from './Migration20261201130100_history_indexes.js';
import { Migration20261124000000_initial } from './Migration20261124000000_initial.js';
import { Migration20261124100000_channels_pool_calls } from './Migration20261124100000_channels_pool_calls.js';
import { Migration20261124200000_voice_conversations } from './Migration20261124200000_voice_conversations.js';
import { Migration20261130100100_usage } from './Migration20261130100100_usage.js';
import { Migration20261130110100_compliance } from './Migration20261130110100_compliance.js';
import { Migration20261130170100_turn_latency } from './Migration20261130170100_turn_latency.js';
import { Migration20261130080001_stuck_sends } from './Migration20261130080001_stuck_sends.js';
import { Migration20261130120001_agent_suspension } from './Migration20261130120001_agent_suspension.js';
import { Migration20261130120001_audit_log } from './Migration20261130120001_audit_log.js';
import { Migration20261201130200_mcp_sessions } from './Migration20261201130200_mcp_sessions.js';
import { Migration20261201140100_provider_credentials } from './Migration20261201140100_provider_credentials.js';
import { Migration20261201160100_contacts } from './Migration20261201160100_contacts.js';
import { Migration20261202010100_provisioning } from './Migration20261202010100_provisioning.js';
import { Migration20261202020100_customers } from './Migration20261202020100_customers.js';
import { Migration20261202060100_contact_indexes } from './Migration20261202060100_contact_indexes.js';
import { Migration20261203140100_provider_account_indexes } from './Migration20261203140100_provider_account_indexes.js';
import { Migration20261203150100_mcp_session_subscriptions } from './Migration20261203150100_mcp_session_subscriptions.js';
import { Migration20261207180100_message_partial_indexes } from './Migration20261207180100_message_partial_indexes.js';

/** Every SQLite migration, oldest first. Listed explicitly: no file globbing at runtime (tsx or dist/). */
export const SQLITE_MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261124000000_initial', class: Migration20261124000000_initial },
  { name: 'Migration20261124100000_channels_pool_calls', class: Migration20261124100000_channels_pool_calls },
  { name: 'Migration20261124200000_voice_conversations', class: Migration20261124200000_voice_conversations },
  { name: 'Migration20261130100100_usage', class: Migration20261130100100_usage },
  { name: 'Migration20261130110100_compliance', class: Migration20261130110100_compliance },
  { name: 'Migration20261130170100_turn_latency', class: Migration20261130170100_turn_latency },
  { name: 'Migration20261130080001_stuck_sends', class: Migration20261130080001_stuck_sends },
  { name: 'Migration20261130120001_agent_suspension', class: Migration20261130120001_agent_suspension },
  { name: 'Migration20261130120001_audit_log', class: Migration20261130120001_audit_log },
  { name: 'Migration20261201130100_history_indexes', class: Migration20261201130100_history_indexes },
  { name: 'Migration20261201130200_mcp_sessions', class: Migration20261201130200_mcp_sessions },
  { name: 'Migration20261201140100_provider_credentials', class: Migration20261201140100_provider_credentials },
  { name: 'Migration20261201160100_contacts', class: Migration20261201160100_contacts },
  { name: 'Migration20261202010100_provisioning', class: Migration20261202010100_provisioning },
  { name: 'Migration20261202020100_customers', class: Migration20261202020100_customers },
  { name: 'Migration20261202060100_contact_indexes', class: Migration20261202060100_contact_indexes },
  { name: 'Migration20261203140100_provider_account_indexes', class: Migration20261203140100_provider_account_indexes },
  { name: 'Migration20261203150100_mcp_session_subscriptions', class: Migration20261203150100_mcp_session_subscriptions },
  { name: 'Migration20261207180100_message_partial_indexes', class: Migration20261207180100_message_partial_indexes },
];
