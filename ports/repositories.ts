import type {
  AgentChannelRecord, AgentRecord, CallbackDeliveryRecord, CallLogRecord, Channel, Direction, MessageRecord,
  MessageStatus, WhatsAppSenderRecord, CallTurnRecord, TurnLatency,
} from './records.js';
import type { UsageRepository } from './usage.js';
import type { ComplianceRepository } from './compliance.js';
import type { AuditRepository } from './audit.js';
import type { ProviderCredentialRepository } from './provider-credentials.js';
import type { McpSessionRepository } from './mcp-sessions.js';
import type { ProvisioningRepository } from './provisioning.js';
import type { CustomerRepository, SharedNumberRepository } from './customers.js';

/** An agent and its addresses (oldest first), as read together when a token is authenticated. */
export interface AgentWithChannels {
  agent: AgentRecord;
  channels: AgentChannelRecord[];
}
import type { ContactRepository } from './contacts.js';

export interface AgentRepository {
  /** Creates the agent and its channels in one transaction. `CONFLICT` if an address is taken. */
  create(agent: AgentRecord, channels: AgentChannelRecord[]): Promise<void>;
  findById(id: string): Promise<AgentRecord | null>;
  /**
   * The agent a token stands for, with its addresses, in one lookup: every agent-token request starts
   * here, so the channel it sends from comes with it instead of costing another round trip.
   */
  findByTokenHash(tokenHash: string): Promise<AgentWithChannels | null>;
  /** Every agent, oldest first (createdAt, then id); only one customer's with `customerId`. */
  list(filter?: { customerId?: string }): Promise<AgentRecord[]>;
  /**
   * Of the agents answering on `sharedNumber`, the one `contact` last exchanged a message with on it (in
   * either direction), by id; null when the contact never wrote to or heard from any of them there.
   */
  lastOnSharedNumber(channel: Channel, sharedNumber: string, contact: string): Promise<string | null>;
  listChannels(agentId: string): Promise<AgentChannelRecord[]>;
  /** The agent's address on that channel; the oldest if it has several. */
  findChannel(agentId: string, channel: Channel): Promise<AgentChannelRecord | null>;
  /** Who owns this address (addresses are stored as given; email addresses lower-cased by core). */
  findChannelByAddress(channel: Channel, address: string): Promise<AgentChannelRecord | null>;
  /**
   * Replaces the agent's address on `record.channel` with `record` in one transaction (removing any
   * other address it had there). `CONFLICT` if another agent owns the address; nothing is written then.
   */
  setChannel(record: AgentChannelRecord): Promise<void>;
  /** Removes the agent's addresses on that channel; no-op when it has none. */
  removeChannel(agentId: string, channel: Channel): Promise<void>;
  /**
   * Updates name, callback URL, status, voice settings (replaced whole, not merged) or the token hash (a
   * rotated token: the old one stops matching at once); `NOT_FOUND` when there is no such agent.
   */
  update(agentId: string, patch: AgentPatch): Promise<void>;
}

/** The fields of an agent that change after creation (its customer never does). */
export type AgentPatch = Partial<Pick<AgentRecord,
  'name' | 'callbackUrl' | 'status' | 'voice' | 'tokenHash' | 'sendingSuspended' | 'identity' | 'sharedNumber' | 'credentialsRef' | 'providerAccount'>>
  & { updatedAt: Date };

export type InsertOutcome =
  | { inserted: true; message: MessageRecord }
  /** A row with the same idempotency key (outbound) or provider id (inbound) already existed. */
  | { inserted: false; message: MessageRecord };

export interface MessageQuery {
  agentId: string;
  channel?: Channel;
  direction?: Direction;
  /** The other party: `to` of outbound messages, `from` of inbound ones; letter case does not matter. */
  contact?: string;
  /** Only messages created at or after this instant. */
  since?: Date;
  /** Keyset cursor: only messages strictly older than this (createdAt, id) pair. */
  before?: { createdAt: Date; id: string };
  /** At most this many, newest first (createdAt desc, id desc). */
  limit: number;
}

export interface StatusChange {
  status: MessageStatus;
  errorCode?: string | null;
  errorMessage?: string | null;
  providerMessageId?: string | null;
  /** The plugin id that carried it, when a failover list chose another member than the one first recorded. */
  provider?: string;
  /** Replaces the stored metadata when given (no merge). */
  metadata?: Record<string, unknown>;
  updatedAt: Date;
}

export interface MessageRepository {
  /**
   * Inserts an outbound message. When `idempotencyKey` is set and the agent already has a message with
   * that key, nothing is written and the existing message is returned (`inserted: false`).
   */
  insertOutbound(message: MessageRecord): Promise<InsertOutcome>;
  /**
   * Inserts an inbound message, and, in the same transaction, the callback delivery that forwards it.
   * A message whose (agentId, channel, providerMessageId) is already stored is not written again, and
   * neither is its delivery (`inserted: false`): provider redeliveries are stored once.
   */
  insertInbound(message: MessageRecord, delivery: CallbackDeliveryRecord | null): Promise<InsertOutcome>;
  findById(id: string): Promise<MessageRecord | null>;
  findByProviderId(agentId: string, channel: Channel, providerMessageId: string): Promise<MessageRecord | null>;
  /**
   * Applies a status change only if the stored status is one of `onlyFrom`; returns whether it did.
   * The conditional write keeps out-of-order provider callbacks from moving a message backwards.
   */
  changeStatus(id: string, change: StatusChange, onlyFrom: readonly MessageStatus[]): Promise<boolean>;
  list(query: MessageQuery): Promise<MessageRecord[]>;
  /**
   * Outbound messages still `pending` whose last change is older than `updatedBefore` (a send whose process
   * died before it recorded the provider's answer), oldest change first.
   */
  listStuckPending(updatedBefore: Date, limit: number): Promise<MessageRecord[]>;
}

export interface CallbackDeliveryRepository {
  /** Adds an event to the outbox (events not tied to a message, such as `usage.threshold`). */
  enqueue(delivery: CallbackDeliveryRecord): Promise<void>;
  /** Pending deliveries whose nextAttemptAt is at or before `now`, oldest first. */
  due(now: Date, limit: number): Promise<CallbackDeliveryRecord[]>;
  /**
   * Takes up to `limit` due deliveries for this server to send: each gets `nextAttemptAt = leaseUntil`
   * at once, so no other server claims it meanwhile, and it is due again if this one dies before
   * recording the attempt. Returns them as claimed (nextAttemptAt = leaseUntil), oldest created first.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<CallbackDeliveryRecord[]>;
  findById(id: string): Promise<CallbackDeliveryRecord | null>;
  listForMessage(messageId: string): Promise<CallbackDeliveryRecord[]>;
  /** How many deliveries are pending, and when the oldest of them was created (null when none). */
  backlog(): Promise<{ pending: number; oldestCreatedAt: Date | null }>;
  /** How many deliveries were given up (`dead`). */
  countDead(): Promise<number>;
  update(id: string, patch: Pick<CallbackDeliveryRecord, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'updatedAt'>): Promise<void>;
}

/** Every repository: what the database offers, and what the work of a transaction sees. */
export interface Repositories {
  readonly agents: AgentRepository;
  readonly messages: MessageRepository;
  readonly callbacks: CallbackDeliveryRepository;
  readonly whatsappSenders: WhatsAppSenderRepository;
  readonly calls: CallLogRepository;
  readonly turns: CallTurnRepository;
  readonly usage: UsageRepository;
  readonly compliance: ComplianceRepository;
  /** The hash-chained audit trail (append-only). */
  readonly audit: AuditRepository;
  /** Named provider credential sets, sealed (see ports/provider-credentials.ts). */
  readonly providerCredentials: ProviderCredentialRepository;
  /** People the agent talks to, and the threads of messages and calls with them. */
  readonly contacts: ContactRepository;
  /** MCP Streamable HTTP sessions, so that any instance can serve them (see ports/mcp-sessions.ts). */
  readonly mcpSessions: McpSessionRepository;
  /** Numbers bought for agents and the pool, and the journal of provisioning runs (see ports/provisioning.ts). */
  readonly provisioning: ProvisioningRepository;
  /** Customers (tenants) owning agents (see ports/customers.ts). */
  readonly customers: CustomerRepository;
  /** Numbers several agents share, with their default agent. */
  readonly sharedNumbers: SharedNumberRepository;
}

/** The `db` port: every repository plus transactions and the database's lifecycle. */
export interface Database extends Repositories {
  readonly dialect: 'sqlite' | 'postgresql';
  /** Where the data lives, for operators' messages ("SQLite file /…/agentos-comms.sqlite"); no credentials. */
  readonly location?: string;
  /**
   * Runs `work` in one transaction: every write made through `tx` is committed together, or none when
   * `work` throws. A repository call that fails inside undoes only its own writes, so `work` may catch
   * its error and go on. Inside, use only `tx`, one call after another: never the Database itself (on
   * SQLite that waits for the very batch the transaction runs in), and no slow I/O such as a provider
   * call (the transaction holds a connection, and on SQLite the single writer).
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /**
   * Whether an action's usage reservation is made in the action's own transaction (true: SQLite, whose single writer
   * holds no row locks between statements, so that saves the action a commit). False or absent: the reservation is
   * its own transaction, so that (on PostgreSQL) the counter rows are not locked through the action's other writes.
   */
  readonly reservesWithAction?: boolean;
  /**
   * `listener` runs after a write to an agent, its addresses or its limits made through this Database has
   * committed (synchronously, before the write's own promise resolves; a transaction's writes once it committed),
   * so that caches of agent records in this process never serve one a finished write changed. Other processes'
   * writes come through the AgentChangeFeed port. Returns the function that stops it.
   */
  onAgentsChanged(listener: () => void): () => void;
  /** Applies pending migrations for this dialect; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface WhatsAppSenderRepository {
  /** `CONFLICT` if the address is already in the pool. */
  add(sender: WhatsAppSenderRecord): Promise<void>;
  /** Senders dedicated to the agent first, then the shared ones; each group oldest first. */
  candidatesFor(agentId: string): Promise<WhatsAppSenderRecord[]>;
  findByAddress(address: string): Promise<WhatsAppSenderRecord | null>;
  list(): Promise<WhatsAppSenderRecord[]>;
  /** Dedicates the oldest shared sender (no agent) to the agent, atomically; null when none is free. */
  assignFree(agentId: string): Promise<WhatsAppSenderRecord | null>;
  /** Returns the agent's dedicated senders to the shared pool; how many there were. */
  unassign(agentId: string): Promise<number>;
}

export interface CallLogQuery {
  agentId: string;
  before?: { createdAt: Date; id: string };
  limit: number;
}

export interface CallLogRepository {
  insert(call: CallLogRecord): Promise<void>;
  /**
   * Inserts `call` unless the agent already has a call with its provider id; then nothing is written and the stored
   * call is returned (`inserted: false`). Atomic on the unique key: concurrent redeliveries of a provider's webhook
   * all get the one call, none a conflict.
   */
  insertOrFind(call: CallLogRecord & { providerCallId: string }): Promise<{ inserted: boolean; call: CallLogRecord }>;
  findById(id: string): Promise<CallLogRecord | null>;
  findByProviderId(agentId: string, providerCallId: string): Promise<CallLogRecord | null>;
  /**
   * Writes `next` (all fields but id) only if the stored row still has `expectedVersion`; the stored
   * version becomes `expectedVersion + 1`. Returns false when another writer got there first.
   */
  update(next: CallLogRecord, expectedVersion: number): Promise<boolean>;
  /** Newest first (createdAt desc, id desc). */
  list(query: CallLogQuery): Promise<CallLogRecord[]>;
  /**
   * Outbound calls still `queued` or `initiated` without a provider call id whose last change is older than
   * `updatedBefore` (the process died before it recorded the provider's answer), oldest change first.
   */
  listStuckUnplaced(updatedBefore: Date, limit: number): Promise<CallLogRecord[]>;
}

export interface CallTurnRepository {
  /** `CONFLICT` when the id or the call's `seq` is taken; `NOT_FOUND` when the call does not exist. */
  append(turn: CallTurnRecord): Promise<void>;
  /** Rewrites a turn's text (an agent turn cut short by an interruption); `NOT_FOUND` for an unknown id. */
  revise(id: string, text: string, interrupted: boolean): Promise<void>;
  /** Sets a turn's latency breakdown (measured after the turn was stored); `NOT_FOUND` for an unknown id. */
  recordLatency(id: string, latency: TurnLatency): Promise<void>;
  /** The call's transcript, in `seq` order. */
  list(callId: string): Promise<CallTurnRecord[]>;
}
