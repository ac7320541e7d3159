import type { CallLogRecord, MessageRecord } from './records.js';

/**
 * Compliance records shared by core and the repository adapters. Contacts are stored only as
 * `contactHash` (hex SHA-256 of the normalised number or address), so these records survive a contact's
 * erasure and still apply to them, while holding nothing that names the person.
 */

/** What a compliance record is about: the three message channels and phone calls. */
export type ComplianceChannel = 'sms' | 'email' | 'whatsapp' | 'voice';
export const COMPLIANCE_CHANNELS: readonly ComplianceChannel[] = ['sms', 'email', 'whatsapp', 'voice'];

/** Why something is sent: `marketing` needs consent where configured and honours unsubscribes. */
export type Purpose = 'transactional' | 'marketing';

/** A person's refusal of further contact on one channel. */
export interface OptOutRecord {
  contactHash: string;
  channel: ComplianceChannel;
  /** The agent's number or address it was sent to; null: every sender of this server (operator-wide). */
  sender: string | null;
  /** `all`: every send on the channel; `marketing`: marketing sends only (an email unsubscribe). */
  scope: 'all' | 'marketing';
  /** `keyword` (STOP), `provider` (the provider said so, e.g. Twilio 21610), `unsubscribe` (email link), `admin`. */
  source: 'keyword' | 'provider' | 'unsubscribe' | 'admin';
  createdAt: Date;
}

/** An entry of the do-not-contact list: global (`agentId` null) or for one agent. */
export interface DoNotContactEntry {
  contactHash: string;
  agentId: string | null;
  /** `admin` (added by hand) or `import` (from a CSV). */
  source: string;
  createdAt: Date;
}

/** A consent (or its withdrawal) as recorded by an agent; the latest record of a kind decides. */
export interface ConsentRecord {
  id: string;
  agentId: string;
  contactHash: string;
  channel: ComplianceChannel;
  scope: Purpose;
  status: 'granted' | 'withdrawn';
  /** Where it was given: `web-form`, `sms-keyword`, `call` … */
  source: string;
  /** Proof as given (form id, recording URL, the words said); personal data, erased with the contact. */
  evidence: string | null;
  /** When the person gave (or withdrew) it. */
  givenAt: Date;
  createdAt: Date;
}

/** What is left of an erased contact: its hash and when, so erasure is idempotent and provable. */
export interface ErasureTombstone {
  contactHash: string;
  erasedAt: Date;
  /** Rows and files removed by the last erasure, by kind. */
  counts: Record<string, number>;
}

/** Per-agent compliance settings over the server's (`compliance:` in config). */
export interface AgentComplianceRecord {
  agentId: string;
  /** JSON-safe overrides: `{ quietHours: { start, end, countries } }`. */
  settings: Record<string, unknown>;
  updatedAt: Date;
}

/** The messages and calls, of any agent, that name one contact (for export and erasure). */
export interface ContactHoldings {
  messages: MessageRecord[];
  calls: CallLogRecord[];
}

export interface SendBlocksQuery {
  contactHashes: readonly string[];
  channel: ComplianceChannel;
  sender: string;
  agentId: string;
  /** Whether to look at the do-not-contact lists too (they hold numbers: not for email). */
  doNotContact: boolean;
}

export interface SendBlocks {
  optOuts: OptOutRecord[];
  doNotContact: DoNotContactEntry[];
}

export interface ComplianceRepository {
  /** Stores an opt-out; a repeat of the same (contact, channel, sender, scope) changes nothing. */
  addOptOut(record: OptOutRecord): Promise<void>;
  /** Removes opt-outs of the contact on the channel for that sender and the operator-wide ones; returns how many. */
  removeOptOuts(contactHash: string, channel: ComplianceChannel, sender: string | null): Promise<number>;
  /** Opt-outs of any of the contacts on the channel that apply to `sender` (its own and operator-wide ones). */
  findOptOuts(contactHashes: readonly string[], channel: ComplianceChannel, sender: string): Promise<OptOutRecord[]>;
  /** Adds entries (existing ones are kept); returns how many were new. */
  addDoNotContact(entries: readonly DoNotContactEntry[]): Promise<number>;
  /** Removes the contacts from the list of `agentId` (null: the global list); returns how many were there. */
  removeDoNotContact(contactHashes: readonly string[], agentId: string | null): Promise<number>;
  /** Entries for any of the contacts on the global list or on the agent's (null: every list). */
  findDoNotContact(contactHashes: readonly string[], agentId: string | null): Promise<DoNotContactEntry[]>;
  /**
   * What stands between `agentId` sending from `sender` on `channel` and the contacts, in one round trip: the
   * opt-outs `findOptOuts` finds and, unless `doNotContact` is false, the entries `findDoNotContact` finds for
   * the agent (same order as those).
   */
  findSendBlocks(query: SendBlocksQuery): Promise<SendBlocks>;
  recordConsent(record: ConsentRecord): Promise<void>;
  /** The contact's consent records, newest first; of one agent, or every agent's when null. */
  consents(contactHash: string, agentId: string | null): Promise<ConsentRecord[]>;
  getAgentSettings(agentId: string): Promise<AgentComplianceRecord | null>;
  setAgentSettings(record: AgentComplianceRecord): Promise<void>;
  /** Opt-outs of the contact (export). */
  optOutsOf(contactHash: string): Promise<OptOutRecord[]>;
  /**
   * Every message and call, of any agent, that names `contact` (normalised: E.164, or a lower-case
   * address) as sender or recipient, in a recipient list, or as a value of its metadata (cc, bcc …).
   */
  holdings(contact: string): Promise<ContactHoldings>;
  /**
   * Deletes the messages and calls with everything hanging off them (transcripts, callback deliveries;
   * usage records keep their amounts but lose the link) and the contact's consents, then writes the
   * tombstone: all in one transaction. Opt-outs and do-not-contact entries (hashes only) stay.
   */
  erase(ids: { messageIds: readonly string[]; callIds: readonly string[] }, tombstone: ErasureTombstone): Promise<void>;
  findTombstone(contactHash: string): Promise<ErasureTombstone | null>;
}
