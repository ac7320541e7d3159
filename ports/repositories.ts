import type {
  AgentChannelRecord, AgentRecord, CallbackDeliveryRecord, Channel, Direction, MessageRecord, MessageStatus,
} from './records.js';

export interface AgentRepository {
  /** Creates the agent and its channels in one transaction. `CONFLICT` if an address is taken. */
  create(agent: AgentRecord, channels: AgentChannelRecord[]): Promise<void>;
  findById(id: string): Promise<AgentRecord | null>;
  findByTokenHash(tokenHash: string): Promise<AgentRecord | null>;
  listChannels(agentId: string): Promise<AgentChannelRecord[]>;
  findChannel(agentId: string, channel: Channel): Promise<AgentChannelRecord | null>;
}

export type InsertOutcome =
  | { inserted: true; message: MessageRecord }
  /** A row with the same idempotency key (outbound) or provider id (inbound) already existed. */
  | { inserted: false; message: MessageRecord };

export interface MessageQuery {
  agentId: string;
  channel?: Channel;
  direction?: Direction;
  /** The other party: `to` of outbound messages, `from` of inbound ones. */
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
}

export interface CallbackDeliveryRepository {
  /** Pending deliveries whose nextAttemptAt is at or before `now`, oldest first. */
  due(now: Date, limit: number): Promise<CallbackDeliveryRecord[]>;
  findById(id: string): Promise<CallbackDeliveryRecord | null>;
  listForMessage(messageId: string): Promise<CallbackDeliveryRecord[]>;
  update(id: string, patch: Pick<CallbackDeliveryRecord, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'updatedAt'>): Promise<void>;
}

/** The `db` port: every repository plus the database's lifecycle. */
export interface Database {
  readonly dialect: 'sqlite' | 'postgresql';
  readonly agents: AgentRepository;
  readonly messages: MessageRepository;
  readonly callbacks: CallbackDeliveryRepository;
  /** Applies pending migrations for this dialect; returns the names applied. */
  migrate(): Promise<string[]>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
