import type { CallLogRecord, MessageRecord } from './records.js';

/** What an address reaches: a phone number (SMS and calls), an email mailbox, a WhatsApp number. */
export type AddressKind = 'phone' | 'email' | 'whatsapp';
export const ADDRESS_KINDS: readonly AddressKind[] = ['phone', 'email', 'whatsapp'];

export interface ContactAddress {
  kind: AddressKind;
  /** Lower-cased as stored: E.164 numbers, email addresses. */
  address: string;
}

/** A (createdAt, id) position in an agent's traffic: keyset cursors and read markers. */
export interface TrafficPosition {
  createdAt: Date;
  id: string;
}

/**
 * A person an agent talks to: every address they were reached at or wrote from. Created from traffic (the
 * database files each new message and call under the contact of its other party's address, creating it on first
 * sight), named and merged by the agent.
 */
export interface ContactRecord {
  id: string;
  agentId: string;
  /** Set by the agent; null until then. */
  name: string | null;
  addresses: ContactAddress[];
  /** The newest message or call with the contact. */
  last: (TrafficPosition & { kind: 'message' | 'call' }) | null;
  /** Inbound messages up to here (inclusive) are read; null: none are. */
  readThrough: TrafficPosition | null;
  createdAt: Date;
}

export type ThreadItem = { kind: 'message'; message: MessageRecord } | { kind: 'call'; call: CallLogRecord };

export interface ContactRepository {
  /** The agent's contact; null for an unknown id or another agent's contact. */
  find(agentId: string, contactId: string): Promise<ContactRecord | null>;
  /** The agent's contact holding this address (compared lower-cased). */
  findByAddress(agentId: string, kind: AddressKind, address: string): Promise<ContactRecord | null>;
  /** Contacts with traffic, most recent last activity first (then id descending), strictly after `before`. */
  listRecent(agentId: string, before: TrafficPosition | undefined, limit: number): Promise<ContactRecord[]>;
  /** Messages and calls with the contact on any of its addresses, newest first (createdAt, then id, descending). */
  thread(contact: ContactRecord, before: TrafficPosition | undefined, limit: number): Promise<ThreadItem[]>;
  /** Inbound messages of the contact after its read marker. */
  unreadCount(contact: ContactRecord): Promise<number>;
  /** Sets or clears the agent-given name; false for an unknown contact. */
  rename(agentId: string, contactId: string, name: string | null, at: Date): Promise<boolean>;
  /** Moves the read marker to `through` (never backwards); false for an unknown contact. */
  markRead(agentId: string, contactId: string, through: TrafficPosition, at: Date): Promise<boolean>;
  /**
   * Moves every address of `fromId` to `intoId` and deletes `fromId`, atomically: the threads combine. The merged
   * contact keeps its name (or takes the other's), the newer last activity, and the older read marker (no unread
   * message becomes read by a merge). Null when either contact is not the agent's.
   */
  merge(agentId: string, intoId: string, fromId: string, at: Date): Promise<ContactRecord | null>;
  /**
   * Erasure, across agents: deletes every contact holding this address (any kind, compared lower-cased), with all
   * its addresses and its name. Returns how many contacts were deleted.
   */
  eraseByAddress(address: string): Promise<number>;
  /** The email message of the agent whose RFC 5322 Message-ID is `header` (threading an inbound reply). */
  findEmailByMessageId(agentId: string, header: string): Promise<MessageRecord | null>;
}
