/** Rows of the opt-out and do-not-contact lists as records, for the repository and the PostgreSQL read batch alike. */
import type { DoNotContactEntry, OptOutRecord, SendBlocks } from '../../ports/compliance.js';
import { member, text } from './row-values.js';
import type { SqlCodec, SqlRow } from './sql-executor.js';

/** Stands for "every sender" / "every agent" in key columns, where NULL would not be unique. */
export const ANY = '*';
export const orAny = (value: string | null): string => value ?? ANY;
export const fromAny = (value: string): string | null => (value === ANY ? null : value);

export function toOptOut(row: SqlRow, codec: SqlCodec): OptOutRecord {
  return {
    contactHash: text(row, 'contact_hash'), channel: member(row, 'channel'), sender: fromAny(text(row, 'sender')),
    scope: member(row, 'scope'), source: member(row, 'source'), createdAt: codec.readTime(row.created_at),
  };
}

export function toDoNotContact(row: SqlRow, codec: SqlCodec): DoNotContactEntry {
  return { contactHash: text(row, 'contact_hash'), agentId: fromAny(text(row, 'agent_id')), source: text(row, 'source'), createdAt: codec.readTime(row.created_at) };
}

/**
 * One send's blocks from the rows of both lists read in one statement (`list`: 'o' an opt-out, 'd' a do-not-contact
 * entry), in the orders of findOptOuts and findDoNotContact: opt-outs oldest first, the global list ('*') before an
 * agent's.
 */
export function sendBlocksOf(rows: readonly SqlRow[], codec: SqlCodec): SendBlocks {
  const blocks: SendBlocks = { optOuts: [], doNotContact: [] };
  for (const row of rows) {
    if (row.list === 'o') blocks.optOuts.push(toOptOut(row, codec));
    else blocks.doNotContact.push(toDoNotContact(row, codec));
  }
  blocks.optOuts.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  blocks.doNotContact.sort((a, b) => (orAny(a.agentId) < orAny(b.agentId) ? -1 : orAny(a.agentId) > orAny(b.agentId) ? 1 : 0));
  return blocks;
}
