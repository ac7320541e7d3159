/**
 * MikroORM entity schemas of the tables, declared with `defineEntity` so nothing depends on
 * decorators or reflection at runtime. Every column type is spelled out; the hand-written migrations
 * are the source of truth for the DDL and these schemas must describe the same tables.
 *
 * Timestamps are `datetime(3)`: SQLite stores them as integer epoch milliseconds (MikroORM's SQLite
 * convention), PostgreSQL as `timestamptz(3)`. Both keep the millisecond that keyset cursors rely on.
 * (The PostgreSQL migration also gives id columns the "C" collation, which has no SQLite spelling.)
 */
import { defineEntity, p } from '@mikro-orm/core';
import type {
  AgentIdentity, AgentRecord, AgentVoiceSettings, CallbackDeliveryStatus, CallEvent, CallSpeaker, Channel, Direction, MessageStatus, TurnLatency,
} from '../../ports/records.js';
import type { UsageAction, UsageChannel, UsageState, UsageUnit } from '../../ports/usage.js';
import type { CustomerRecord, IsolationMode } from '../../ports/customers.js';
import { HISTORY_INDEXES } from './migrations/history-indexes.js';
import { IDEMPOTENCY_INDEX, IDEMPOTENCY_INDEX_CREATE, PENDING_INDEX, PENDING_INDEX_CREATE } from './migrations/message-partial-indexes.js';

export const AgentEntity = defineEntity({
  name: 'Agent',
  tableName: 'agents',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    name: p.text(),
    tokenHash: p.text().fieldName('token_hash').unique('agents_token_hash_unique'),
    callbackUrl: p.text().fieldName('callback_url').nullable(),
    callbackSecret: p.text().fieldName('callback_secret'),
    status: p.string().$type<AgentRecord['status']>().columnType('varchar(16)'),
    createdAt: p.datetime(3).fieldName('created_at'),
    updatedAt: p.datetime(3).fieldName('updated_at'),
    // Last, as in the table: a later migration added the column. {} = no settings (the server's defaults).
    voice: p.json<AgentVoiceSettings>().fieldName('voice_settings').default('{}'),
    sendingSuspended: p.string().fieldName('sending_suspended').columnType('varchar(32)').nullable(),
    // The customers migration's columns (see ports/customers.ts): no foreign key, customers are never deleted.
    customerId: p.string().fieldName('customer_id').columnType('varchar(64)').nullable().index('agents_customer_id_index'),
    identity: p.string().$type<AgentIdentity>().columnType('varchar(16)').default('dedicated'),
    sharedNumber: p.string().fieldName('shared_number').columnType('varchar(32)').nullable().index('agents_shared_number_index'),
    credentialsRef: p.string().fieldName('credentials_ref').columnType('varchar(64)').nullable(),
    // Indexed: a subaccount's webhooks find their signing credentials by it (Migration20261203140100_provider_account_indexes).
    providerAccount: p.string().fieldName('provider_account').columnType('varchar(64)').nullable().index('agents_provider_account_index'),
  },
});

/** A customer (tenant) owning agents; see ports/customers.ts. */
export const CustomerEntity = defineEntity({
  name: 'Customer',
  tableName: 'customers',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    name: p.text(),
    isolation: p.string().$type<IsolationMode>().columnType('varchar(16)'),
    status: p.string().$type<CustomerRecord['status']>().columnType('varchar(16)'),
    adminTokenHash: p.string().fieldName('admin_token_hash').columnType('varchar(64)').nullable().unique('customers_admin_token_hash_unique'),
    providerAccount: p.string().fieldName('provider_account').columnType('varchar(64)').nullable().index('customers_provider_account_index'),
    credentialsRef: p.string().fieldName('credentials_ref').columnType('varchar(64)').nullable(),
    createdAt: p.datetime(3).fieldName('created_at'),
    updatedAt: p.datetime(3).fieldName('updated_at'),
  },
});

/** A number several agents share (identity `shared`/`hybrid`), with the agent unknown contacts reach. */
export const SharedNumberEntity = defineEntity({
  name: 'SharedNumber',
  tableName: 'shared_numbers',
  properties: {
    address: p.string().primary().columnType('varchar(32)'),
    customerId: p.string().fieldName('customer_id').columnType('varchar(64)').nullable(),
    defaultAgentId: p.string().fieldName('default_agent_id').columnType('varchar(64)').nullable(),
    createdAt: p.datetime(3).fieldName('created_at'),
    updatedAt: p.datetime(3).fieldName('updated_at'),
  },
});

export const AgentChannelEntity = defineEntity({
  name: 'AgentChannel',
  tableName: 'agent_channels',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    agentId: p.manyToOne(AgentEntity).mapToPk().fieldName('agent_id').index('agent_channels_agent_id_index'),
    channel: p.string().$type<Channel>().columnType('varchar(16)'),
    address: p.text(),
    createdAt: p.datetime(3).fieldName('created_at'),
  },
  uniques: [{ name: 'agent_channels_channel_address_unique', properties: ['channel', 'address'] }],
});

export const MessageEntity = defineEntity({
  name: 'Message',
  tableName: 'messages',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    // No index of its own: (agent_id, created_at, id) starts with it.
    agentId: p.manyToOne(AgentEntity).mapToPk().fieldName('agent_id').index(false),
    channel: p.string().$type<Channel>().columnType('varchar(16)'),
    direction: p.string().$type<Direction>().columnType('varchar(16)'),
    fromAddr: p.text().fieldName('from_addr'),
    toAddr: p.text().fieldName('to_addr'),
    body: p.text(),
    status: p.string().$type<MessageStatus>().columnType('varchar(16)'),
    provider: p.text(),
    providerMessageId: p.text().fieldName('provider_message_id').nullable(),
    idempotencyKey: p.text().fieldName('idempotency_key').nullable(),
    requestHash: p.text().fieldName('request_hash').nullable(),
    errorCode: p.text().fieldName('error_code').nullable(),
    errorMessage: p.text().fieldName('error_message').nullable(),
    metadata: p.json<Record<string, unknown>>(),
    createdAt: p.datetime(3).fieldName('created_at'),
    updatedAt: p.datetime(3).fieldName('updated_at'),
  },
  uniques: [
    // Partial (message-partial-indexes.ts): declared by its DDL, compared by name.
    { name: IDEMPOTENCY_INDEX, expression: IDEMPOTENCY_INDEX_CREATE },
    { name: 'messages_agent_id_channel_provider_message_id_unique', properties: ['agentId', 'channel', 'providerMessageId'] },
  ],
  indexes: [
    { name: 'messages_agent_id_created_at_id_index', properties: ['agentId', 'createdAt', 'id'] },
    { name: PENDING_INDEX, expression: PENDING_INDEX_CREATE },
    // Partial indexes among them: declared by their DDL, so the drift check compares them by name.
    ...HISTORY_INDEXES.map((index) => ({ name: index.name, expression: index.create })),
    // Spelled per dialect in the migrations (JSON field of the metadata); the name is what the schema diff compares.
    { name: 'idx_thread_messages_email_id', expression: 'create index idx_thread_messages_email_id on messages (agent_id, (metadata->>\'messageIdHeader\')) where channel = \'email\'' },
  ],
});

export const CallbackDeliveryEntity = defineEntity({
  name: 'CallbackDelivery',
  tableName: 'callback_deliveries',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    // Never queried by agent, and agents are never deleted: an index would only slow the inbound path.
    agentId: p.manyToOne(AgentEntity).mapToPk().fieldName('agent_id').index(false),
    // Null for events not about a message (`usage.threshold`); messages are never deleted, hence `no action`.
    messageId: p.manyToOne(MessageEntity).mapToPk().fieldName('message_id').nullable().deleteRule('no action')
      .index('callback_deliveries_message_id_index'),
    url: p.text(),
    payload: p.text(),
    status: p.string().$type<CallbackDeliveryStatus>().columnType('varchar(16)'),
    attempts: p.integer(),
    nextAttemptAt: p.datetime(3).fieldName('next_attempt_at'),
    lastError: p.text().fieldName('last_error').nullable(),
    createdAt: p.datetime(3).fieldName('created_at'),
    updatedAt: p.datetime(3).fieldName('updated_at'),
  },
  indexes: [{ name: 'callback_deliveries_status_next_attempt_at_index', properties: ['status', 'nextAttemptAt'] }],
});

export const WhatsAppSenderEntity = defineEntity({
  name: 'WhatsAppSender',
  tableName: 'whatsapp_senders',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    address: p.text().unique('whatsapp_senders_address_unique'),
    // Null = shared by every agent. Deleting an agent must not silently hand its sender to all the
    // others (what MikroORM's default `set null` would do), hence an explicit `no action`.
    agentId: p.manyToOne(AgentEntity).mapToPk().fieldName('agent_id').nullable().deleteRule('no action')
      .index('whatsapp_senders_agent_id_index'),
    createdAt: p.datetime(3).fieldName('created_at'),
  },
});

export const CallLogEntity = defineEntity({
  name: 'CallLog',
  tableName: 'call_logs',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    // No index of its own: (agent_id, created_at, id) starts with it.
    agentId: p.manyToOne(AgentEntity).mapToPk().fieldName('agent_id').index(false),
    direction: p.string().$type<Direction>().columnType('varchar(16)'),
    fromAddr: p.text().fieldName('from_addr'),
    toAddr: p.text().fieldName('to_addr'),
    status: p.string().columnType('varchar(16)'),
    history: p.json<CallEvent[]>(),
    provider: p.text(),
    providerCallId: p.text().fieldName('provider_call_id').nullable(),
    audioUrl: p.text().fieldName('audio_url').nullable(),
    audioKey: p.text().fieldName('audio_key').nullable(),
    startedAt: p.datetime(3).fieldName('started_at'),
    answeredAt: p.datetime(3).fieldName('answered_at').nullable(),
    endedAt: p.datetime(3).fieldName('ended_at').nullable(),
    durationSeconds: p.integer().fieldName('duration_seconds').nullable(),
    priceMicros: p.bigint('number').fieldName('price_micros').nullable(),
    currency: p.text().nullable(),
    errorCode: p.text().fieldName('error_code').nullable(),
    errorMessage: p.text().fieldName('error_message').nullable(),
    metadata: p.json<Record<string, unknown>>(),
    createdAt: p.datetime(3).fieldName('created_at'),
    updatedAt: p.datetime(3).fieldName('updated_at'),
    version: p.integer(),
  },
  uniques: [{ name: 'call_logs_agent_id_provider_call_id_unique', properties: ['agentId', 'providerCallId'] }],
  indexes: [
    { name: 'call_logs_agent_id_created_at_id_index', properties: ['agentId', 'createdAt', 'id'] },
    { name: 'call_logs_status_updated_at_index', properties: ['status', 'updatedAt'] },
    { name: 'idx_thread_calls_to', expression: 'create index idx_thread_calls_to on call_logs (agent_id, lower(to_addr), created_at, id)' },
    { name: 'idx_thread_calls_from', expression: 'create index idx_thread_calls_from on call_logs (agent_id, lower(from_addr), created_at, id)' },
  ],
});

export const CallTurnEntity = defineEntity({
  name: 'CallTurn',
  tableName: 'call_turns',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    // No index of its own: the unique (call_id, seq) starts with it.
    callId: p.manyToOne(CallLogEntity).mapToPk().fieldName('call_id').index(false),
    seq: p.integer(),
    speaker: p.string().$type<CallSpeaker>().columnType('varchar(16)'),
    text: p.text(),
    interrupted: p.boolean(),
    createdAt: p.datetime(3).fieldName('created_at'),
    latency: p.json<TurnLatency>().nullable(),
  },
  uniques: [{ name: 'call_turns_call_id_seq_unique', properties: ['callId', 'seq'] }],
});

export const UsageRecordEntity = defineEntity({
  name: 'UsageRecord',
  tableName: 'usage_records',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    agentId: p.manyToOne(AgentEntity).mapToPk().fieldName('agent_id').index(false),
    channel: p.string().$type<UsageChannel>().columnType('varchar(16)'),
    action: p.string().$type<UsageAction>().columnType('varchar(16)'),
    units: p.integer(),
    unit: p.string().$type<UsageUnit>().columnType('varchar(16)'),
    provider: p.text(),
    destination: p.string().columnType('varchar(16)').nullable(),
    costMicros: p.bigint('number').fieldName('cost_micros'),
    priceMicros: p.bigint('number').fieldName('price_micros'),
    markupBasisPoints: p.integer().fieldName('markup_bp'),
    currency: p.string().columnType('varchar(8)'),
    costSource: p.string().fieldName('cost_source').columnType('varchar(16)'),
    state: p.string().$type<UsageState>().columnType('varchar(16)'),
    heldUntil: p.datetime(3).fieldName('held_until').nullable(),
    shares: p.json<unknown[]>(),
    // Plain ids, no foreign keys: the record is written in the same transaction as its message or call.
    messageId: p.string().fieldName('message_id').columnType('varchar(64)').nullable().index('usage_records_message_id_index'),
    callId: p.string().fieldName('call_id').columnType('varchar(64)').nullable().index('usage_records_call_id_index'),
    createdAt: p.datetime(3).fieldName('created_at'),
    updatedAt: p.datetime(3).fieldName('updated_at'),
  },
  indexes: [
    { name: 'usage_records_agent_id_created_at_index', properties: ['agentId', 'createdAt'] },
    { name: 'usage_records_state_held_until_index', properties: ['state', 'heldUntil'] },
  ],
});

export const UsageCounterEntity = defineEntity({
  name: 'UsageCounter',
  tableName: 'usage_counters',
  properties: {
    // No foreign key: every send claims several counters, and a key check per row would cost each claim.
    agentId: p.string().primary().fieldName('agent_id').columnType('varchar(64)'),
    counter: p.string().primary().columnType('varchar(200)'),
    windowStart: p.datetime(3).primary().fieldName('window_start'),
    windowEnd: p.datetime(3).fieldName('window_end'),
    used: p.bigint('number'),
    cap: p.bigint('number'),
  },
});

export const AgentLimitsEntity = defineEntity({
  name: 'AgentLimits',
  tableName: 'agent_limits',
  properties: {
    agentId: p.oneToOne(AgentEntity).primary().mapToPk().fieldName('agent_id').owner().deleteRule('no action'),
    tier: p.string().columnType('varchar(64)').nullable(),
    overrides: p.json<Record<string, unknown>>(),
    updatedAt: p.datetime(3).fieldName('updated_at'),
  },
});

export const UsageAlertEntity = defineEntity({
  name: 'UsageAlert',
  tableName: 'usage_alerts',
  properties: {
    agentId: p.string().primary().fieldName('agent_id').columnType('varchar(64)'),
    period: p.string().primary().columnType('varchar(250)'),
    threshold: p.integer().primary(),
    createdAt: p.datetime(3).fieldName('created_at'),
  },
});

export const OptOutEntity = defineEntity({
  name: 'OptOut',
  tableName: 'opt_outs',
  properties: {
    contactHash: p.string().primary().fieldName('contact_hash').columnType('varchar(64)'),
    channel: p.string().primary().columnType('varchar(16)'),
    // '*': operator-wide.
    sender: p.string().primary().columnType('varchar(320)'),
    scope: p.string().primary().columnType('varchar(16)'),
    source: p.string().columnType('varchar(16)'),
    createdAt: p.datetime(3).fieldName('created_at'),
  },
});

export const DoNotContactEntity = defineEntity({
  name: 'DoNotContact',
  tableName: 'do_not_contact',
  properties: {
    contactHash: p.string().primary().fieldName('contact_hash').columnType('varchar(64)'),
    // '*': the global list; no foreign key for that reason.
    agentId: p.string().primary().fieldName('agent_id').columnType('varchar(64)'),
    source: p.string().columnType('varchar(16)'),
    createdAt: p.datetime(3).fieldName('created_at'),
  },
});

export const ConsentEntity = defineEntity({
  name: 'Consent',
  tableName: 'consents',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    agentId: p.manyToOne(AgentEntity).mapToPk().fieldName('agent_id').index('consents_agent_id_index'),
    contactHash: p.string().fieldName('contact_hash').columnType('varchar(64)').index('consents_contact_hash_index'),
    channel: p.string().columnType('varchar(16)'),
    scope: p.string().columnType('varchar(16)'),
    status: p.string().columnType('varchar(16)'),
    source: p.text(),
    evidence: p.text().nullable(),
    givenAt: p.datetime(3).fieldName('given_at'),
    createdAt: p.datetime(3).fieldName('created_at'),
  },
});

export const ErasureTombstoneEntity = defineEntity({
  name: 'ErasureTombstone',
  tableName: 'erasure_tombstones',
  properties: {
    contactHash: p.string().primary().fieldName('contact_hash').columnType('varchar(64)'),
    erasedAt: p.datetime(3).fieldName('erased_at'),
    counts: p.json<Record<string, number>>(),
  },
});

export const AgentComplianceEntity = defineEntity({
  name: 'AgentCompliance',
  tableName: 'agent_compliance',
  properties: {
    agentId: p.oneToOne(AgentEntity).primary().mapToPk().fieldName('agent_id').owner().deleteRule('no action'),
    settings: p.json<Record<string, unknown>>(),
    updatedAt: p.datetime(3).fieldName('updated_at'),
  },
});

export const AuditLogEntity = defineEntity({
  name: 'AuditLog',
  tableName: 'audit_log',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    seq: p.integer().unique('audit_log_seq_unique'),
    at: p.datetime(3),
    actorKind: p.string().fieldName('actor_kind').columnType('varchar(16)'),
    actorId: p.string().fieldName('actor_id').columnType('varchar(64)').nullable(),
    action: p.string().columnType('varchar(64)'),
    agentId: p.string().fieldName('agent_id').columnType('varchar(64)').nullable(),
    targets: p.json<Record<string, unknown>>(),
    outcome: p.string().columnType('varchar(64)'),
    requestId: p.string().fieldName('request_id').columnType('varchar(64)').nullable(),
    prevHash: p.string().fieldName('prev_hash').columnType('varchar(64)'),
    hash: p.string().columnType('varchar(64)'),
  },
  indexes: [
    { name: 'audit_log_agent_id_seq_index', properties: ['agentId', 'seq'] },
    { name: 'audit_log_action_seq_index', properties: ['action', 'seq'] },
  ],
});

export const ProviderCredentialEntity = defineEntity({
  name: 'ProviderCredential',
  tableName: 'provider_credentials',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    name: p.string().columnType('varchar(64)').unique('provider_credentials_name_unique'),
    provider: p.string().columnType('varchar(64)'),
    port: p.string().columnType('varchar(16)'),
    ownerId: p.string().fieldName('owner_id').columnType('varchar(64)').nullable(),
    keyId: p.string().fieldName('key_id').columnType('varchar(32)'),
    iv: p.text(),
    ciphertext: p.text(),
    tag: p.text(),
    verifiedDetail: p.text().fieldName('verified_detail'),
    verifiedAt: p.datetime(3).fieldName('verified_at'),
    createdAt: p.datetime(3).fieldName('created_at'),
    updatedAt: p.datetime(3).fieldName('updated_at'),
  },
});

/** A person of an agent (see contact-repository.ts); created by the contacts migration's triggers. */
export const ContactEntity = defineEntity({
  name: 'Contact',
  tableName: 'contacts',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    agentId: p.string().fieldName('agent_id').columnType('varchar(64)'),
    name: p.text().nullable(),
    lastAt: p.datetime(3).fieldName('last_at').nullable(),
    lastId: p.string().fieldName('last_id').columnType('varchar(64)').nullable(),
    lastKind: p.string().fieldName('last_kind').columnType('varchar(8)').nullable(),
    readAt: p.datetime(3).fieldName('read_at').nullable(),
    readId: p.string().fieldName('read_id').columnType('varchar(64)').nullable(),
    createdAt: p.datetime(3).fieldName('created_at'),
    updatedAt: p.datetime(3).fieldName('updated_at'),
  },
  indexes: [{ name: 'idx_thread_contacts_recent', properties: ['agentId', 'lastAt', 'id'] }],
});

/** One address of a contact: unique per agent and kind, which makes creating contacts from traffic race-free. */
export const ContactAddressEntity = defineEntity({
  name: 'ContactAddress',
  tableName: 'contact_addresses',
  properties: {
    agentId: p.string().primary().fieldName('agent_id').columnType('varchar(64)'),
    kind: p.string().primary().columnType('varchar(16)'),
    address: p.text().primary(),
    contactId: p.string().fieldName('contact_id').columnType('varchar(64)').index('idx_thread_contact_addresses_contact'),
    createdAt: p.datetime(3).fieldName('created_at'),
  },
});

/** An MCP Streamable HTTP session, stored so that any instance can serve it (see mcp-session-repository.ts). */
export const McpSessionEntity = defineEntity({
  name: 'McpSession',
  tableName: 'mcp_sessions',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    owner: p.string().columnType('varchar(128)'),
    protocolVersion: p.string().fieldName('protocol_version').columnType('varchar(32)'),
    clientCapabilities: p.json<Record<string, unknown>>().fieldName('client_capabilities'),
    clientInfo: p.json<Record<string, unknown>>().fieldName('client_info'),
    createdAt: p.datetime(3).fieldName('created_at'),
    lastSeenAt: p.datetime(3).fieldName('last_seen_at').index('mcp_sessions_last_seen_at_index'),
  },
});

/** A resource subscription of a stored MCP session, removed with its session by the repository (mcp-session-repository.ts). */
export const McpSessionSubscriptionEntity = defineEntity({
  name: 'McpSessionSubscription',
  tableName: 'mcp_session_subscriptions',
  properties: {
    // No foreign key: the repository removes a session's subscriptions with it (MikroORM 6's schema comparator
    // hangs on PostgreSQL over a composite primary key that is also a foreign key).
    sessionId: p.string().primary().fieldName('session_id').columnType('varchar(64)'),
    uri: p.string().primary().columnType('varchar(512)'),
    agentId: p.string().fieldName('agent_id').columnType('varchar(64)'),
    createdAt: p.datetime(3).fieldName('created_at'),
  },
});

/** A number bought for an agent or the spare pool (see provisioning-repository.ts). */
export const PhoneNumberEntity = defineEntity({
  name: 'PhoneNumber',
  tableName: 'phone_numbers',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    provider: p.string().columnType('varchar(64)'),
    country: p.string().columnType('varchar(8)'),
    phoneNumber: p.string().fieldName('phone_number').columnType('varchar(32)').unique('phone_numbers_phone_number_unique'),
    providerRef: p.string().fieldName('provider_ref').columnType('varchar(64)').nullable(),
    state: p.string().columnType('varchar(16)'),
    agentId: p.string().fieldName('agent_id').columnType('varchar(64)').nullable().index('phone_numbers_agent_id_index'),
    operationId: p.string().fieldName('operation_id').columnType('varchar(64)').nullable(),
    createdAt: p.datetime(3).fieldName('created_at'),
    updatedAt: p.datetime(3).fieldName('updated_at'),
  },
  indexes: [{ name: 'phone_numbers_pool_index', properties: ['provider', 'country', 'state', 'agentId'] }],
});

/** The journal of one provisioning run: its steps as they completed, and the answer replayed to a retry. */
export const ProvisioningOperationEntity = defineEntity({
  name: 'ProvisioningOperation',
  tableName: 'provisioning_operations',
  properties: {
    id: p.string().primary().columnType('varchar(64)'),
    agentId: p.string().fieldName('agent_id').columnType('varchar(64)'),
    kind: p.string().columnType('varchar(16)'),
    idempotencyKey: p.string().fieldName('idempotency_key').columnType('varchar(128)'),
    requestHash: p.string().fieldName('request_hash').columnType('varchar(64)'),
    status: p.string().columnType('varchar(16)'),
    steps: p.json<unknown[]>(),
    result: p.json<Record<string, unknown>>().nullable(),
    errorCode: p.string().fieldName('error_code').columnType('varchar(64)').nullable(),
    leaseUntil: p.datetime(3).fieldName('lease_until').nullable(),
    createdAt: p.datetime(3).fieldName('created_at'),
    updatedAt: p.datetime(3).fieldName('updated_at'),
  },
  uniques: [{ name: 'provisioning_operations_key_unique', properties: ['agentId', 'kind', 'idempotencyKey'] }],
});

export const ENTITIES = [
  AgentEntity, AgentChannelEntity, MessageEntity, CallbackDeliveryEntity, WhatsAppSenderEntity, CallLogEntity,
  CallTurnEntity, UsageRecordEntity, UsageCounterEntity, AgentLimitsEntity, UsageAlertEntity,
  OptOutEntity, DoNotContactEntity, ConsentEntity, ErasureTombstoneEntity, AgentComplianceEntity, AuditLogEntity,
  ProviderCredentialEntity,
  ContactEntity, ContactAddressEntity, McpSessionEntity, McpSessionSubscriptionEntity, PhoneNumberEntity, ProvisioningOperationEntity,
  CustomerEntity, SharedNumberEntity,
];
