import type {
  AddressKind, ContactAddress, ContactRecord, ContactRepository, ThreadItem, TrafficPosition,
} from '../../ports/contacts.js';
import type { Channel, MessageRecord } from '../../ports/records.js';
import { CALL_LOG_COLUMNS, toCallLog } from './call-log-mapping.js';
import { CONTACT_HISTORY_INDEX } from './migrations/history-indexes.js';
import { MESSAGE_COLUMNS, toMessage } from './row-mapping.js';
import { member, nullableText, nullableTime, text } from './row-values.js';
import { SqlClauses } from './sql-clauses.js';
import type { SqlCodec, SqlExecutor, SqlParam, SqlRow, SqlSession } from './sql-executor.js';

const CONTACT_COLUMNS = 'id, agent_id, name, last_at, last_id, last_kind, read_at, read_id, created_at';
/** Which messages an address kind reaches (calls reach phone numbers only). */
const KIND_CHANNEL: Record<AddressKind, Channel> = { phone: 'sms', email: 'email', whatsapp: 'whatsapp' };

/**
 * Contacts and the threads read through them. Contacts are created by the database itself (triggers of the
 * contacts migration), in the transaction that inserts the message or call; this repository reads, names,
 * merges, marks and erases them. Thread queries match the other party's address lower-cased, which the
 * per-direction contact indexes (migrations/history-indexes.ts) serve.
 */
export class SqlContactRepository implements ContactRepository {
  private readonly codec: SqlCodec;

  constructor(private readonly sql: SqlExecutor) {
    this.codec = sql.codec;
  }

  find(agentId: string, contactId: string): Promise<ContactRecord | null> {
    return this.sql.run((s) => this.load(s, agentId, contactId));
  }

  findByAddress(agentId: string, kind: AddressKind, address: string): Promise<ContactRecord | null> {
    return this.sql.run(async (s) => {
      const [row] = await s.rows('SELECT contact_id FROM contact_addresses WHERE agent_id = ? AND kind = ? AND address = ?', [agentId, kind, address.toLowerCase()]);
      return row ? this.load(s, agentId, text(row, 'contact_id')) : null;
    });
  }

  listRecent(agentId: string, before: TrafficPosition | undefined, limit: number): Promise<ContactRecord[]> {
    const where = new SqlClauses('agent_id = ?', agentId).and('last_at IS NOT NULL');
    if (before) where.and('(last_at, id) < (?, ?)', this.codec.time(before.createdAt), before.id);
    return this.sql.run(async (s) => {
      const rows = await s.rows(
        `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE ${where.join(' AND ')} ORDER BY last_at DESC, id DESC LIMIT ?`,
        [...where.params, Math.floor(limit)],
      );
      return this.withAddresses(s, rows);
    });
  }

  thread(contact: ContactRecord, before: TrafficPosition | undefined, limit: number): Promise<ThreadItem[]> {
    const n = Math.floor(limit);
    if (!(n > 0) || contact.addresses.length === 0) return Promise.resolve([]);
    return this.sql.run(async (s) => {
      const messages = threadMessagesSql(contact, before, n, this.sql);
      const items: ThreadItem[] = (await s.rows(messages.sql, messages.params)).map((row) => ({ kind: 'message', message: toMessage(row, this.codec) }));
      const calls = threadCallsSql(contact, before, n, this.codec);
      if (calls) {
        items.push(...(await s.rows(calls.sql, calls.params)).map((row): ThreadItem => ({ kind: 'call', call: toCallLog(row, this.codec) })));
      }
      return items.sort(newestFirst).slice(0, n);
    });
  }

  unreadCount(contact: ContactRecord): Promise<number> {
    const parts = messageParts(contact.addresses).filter((p) => p.direction === 'inbound');
    if (parts.length === 0) return Promise.resolve(0);
    const read = contact.readThrough;
    const after = read ? ' AND (created_at, id) > (?, ?)' : '';
    const afterParams = read ? [this.codec.time(read.createdAt), read.id] : [];
    // One count per (channel, direction) part, each served by an contact index, summed.
    const counts = parts.map((p) => `SELECT count(*) AS n FROM ${messagesOf(p, this.sql.dialect === 'sqlite')} WHERE ${partWhere(p)}${after}`);
    const params = parts.flatMap((p) => [contact.agentId, ...p.values, p.channel!, ...afterParams]);
    return this.sql.run(async (s) => {
      const rows = await s.rows(`SELECT ${counts.map((_, i) => `(${counts[i]})`).join(' + ')} AS n`, params);
      return Number(rows[0]?.n ?? 0);
    });
  }

  async rename(agentId: string, contactId: string, name: string | null, at: Date): Promise<boolean> {
    const changed = await this.sql.run((s) => s.run('UPDATE contacts SET name = ?, updated_at = ? WHERE id = ? AND agent_id = ?', [name, this.codec.time(at), contactId, agentId]));
    return changed > 0;
  }

  async markRead(agentId: string, contactId: string, through: TrafficPosition, at: Date): Promise<boolean> {
    const position = [this.codec.time(through.createdAt), through.id];
    // The marker only moves forward: a late or repeated call cannot make read messages unread again.
    const changed = await this.sql.run((s) => s.run(
      'UPDATE contacts SET read_at = CASE WHEN read_at IS NULL OR (read_at, read_id) < (?, ?) THEN ? ELSE read_at END, ' +
        'read_id = CASE WHEN read_at IS NULL OR (read_at, read_id) < (?, ?) THEN ? ELSE read_id END, updated_at = ? ' +
        'WHERE id = ? AND agent_id = ?',
      [...position, position[0]!, ...position, position[1]!, this.codec.time(at), contactId, agentId],
    ));
    return changed > 0;
  }

  merge(agentId: string, intoId: string, fromId: string, at: Date): Promise<ContactRecord | null> {
    return this.sql.atomic(async (s) => {
      const into = await this.load(s, agentId, intoId);
      const from = await this.load(s, agentId, fromId);
      if (!into || !from) return null;
      if (intoId === fromId) return into;
      const last = [into.last, from.last].filter((p) => p !== null).sort(newestPosition)[0] ?? null;
      // The older marker (null: nothing read) wins, so merging never hides an unread message.
      const read = into.readThrough && from.readThrough ? [into.readThrough, from.readThrough].sort(newestPosition)[1]! : null;
      await s.run('UPDATE contact_addresses SET contact_id = ? WHERE contact_id = ?', [intoId, fromId]);
      await s.run(
        'UPDATE contacts SET name = ?, last_at = ?, last_id = ?, last_kind = ?, read_at = ?, read_id = ?, updated_at = ? WHERE id = ?',
        [
          into.name ?? from.name, last ? this.codec.time(last.createdAt) : null, last?.id ?? null, last?.kind ?? null,
          read ? this.codec.time(read.createdAt) : null, read?.id ?? null, this.codec.time(at), intoId,
        ],
      );
      await s.run('DELETE FROM contacts WHERE id = ?', [fromId]);
      return this.load(s, agentId, intoId);
    });
  }

  eraseByAddress(address: string): Promise<number> {
    return this.sql.atomic(async (s) => {
      const rows = await s.rows('SELECT DISTINCT contact_id FROM contact_addresses WHERE address = ?', [address.toLowerCase()]);
      const ids = rows.map((row) => text(row, 'contact_id'));
      if (ids.length === 0) return 0;
      const list = ids.map(() => '?').join(', ');
      await s.run(`DELETE FROM contact_addresses WHERE contact_id IN (${list})`, ids);
      return s.run(`DELETE FROM contacts WHERE id IN (${list})`, ids);
    });
  }

  findEmailByMessageId(agentId: string, header: string): Promise<MessageRecord | null> {
    const field = this.sql.dialect === 'postgresql' ? "(metadata->>'messageIdHeader')" : "json_extract(metadata, '$.messageIdHeader')";
    return this.sql.run(async (s) => {
      const [row] = await s.rows(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE agent_id = ? AND ${field} = ? AND channel = 'email' ORDER BY created_at, id LIMIT 1`,
        [agentId, header],
      );
      return row ? toMessage(row, this.codec) : null;
    });
  }

  private async load(s: SqlSession, agentId: string, contactId: string): Promise<ContactRecord | null> {
    const rows = await s.rows(`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE id = ? AND agent_id = ?`, [contactId, agentId]);
    return (await this.withAddresses(s, rows))[0] ?? null;
  }

  private async withAddresses(s: SqlSession, rows: SqlRow[]): Promise<ContactRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => text(row, 'id'));
    const addresses = await s.rows(
      `SELECT contact_id, kind, address FROM contact_addresses WHERE contact_id IN (${ids.map(() => '?').join(', ')}) ORDER BY created_at, kind, address`,
      ids,
    );
    const byContact = new Map<string, ContactAddress[]>();
    for (const a of addresses) {
      const list = byContact.get(text(a, 'contact_id')) ?? [];
      list.push({ kind: member(a, 'kind'), address: text(a, 'address') });
      byContact.set(text(a, 'contact_id'), list);
    }
    return rows.map((row) => this.toContact(row, byContact.get(text(row, 'id')) ?? []));
  }

  private toContact(row: SqlRow, addresses: ContactAddress[]): ContactRecord {
    const lastAt = nullableTime(row, 'last_at', this.codec);
    const readAt = nullableTime(row, 'read_at', this.codec);
    return {
      id: text(row, 'id'),
      agentId: text(row, 'agent_id'),
      name: nullableText(row, 'name'),
      addresses,
      last: lastAt ? { createdAt: lastAt, id: text(row, 'last_id'), kind: member(row, 'last_kind') } : null,
      readThrough: readAt ? { createdAt: readAt, id: text(row, 'read_id') } : null,
      createdAt: this.codec.readTime(row.created_at),
    };
  }
}

/** One index-served slice of a thread: traffic of one direction with any of `values` on `column` (lower-cased). */
interface ThreadPart {
  column: 'to_addr' | 'from_addr';
  direction: 'outbound' | 'inbound';
  values: string[];
  /** Messages only: the channel the address kind reaches. */
  channel?: Channel;
}

/** Messages with these addresses: to them (outbound) and from them (inbound), each on its kind's channel. */
function messageParts(addresses: readonly ContactAddress[]): ThreadPart[] {
  return [...new Set(addresses.map((a) => a.kind))].flatMap((kind) => {
    const values = addresses.filter((a) => a.kind === kind).map((a) => a.address);
    return [
      { column: 'to_addr', direction: 'outbound', values, channel: KIND_CHANNEL[kind] },
      { column: 'from_addr', direction: 'inbound', values, channel: KIND_CHANNEL[kind] },
    ] satisfies ThreadPart[];
  });
}

function callParts(phones: string[]): ThreadPart[] {
  return [{ column: 'to_addr', direction: 'outbound', values: phones }, { column: 'from_addr', direction: 'inbound', values: phones }];
}

/**
 * `messages`, on SQLite read through the part's contact index by name: without statistics SQLite's planner
 * prefers the (agent, channel, direction) index, whose equality columns are more, and walks every message of
 * the agent on that channel (see message-history-query.ts).
 */
function messagesOf(p: ThreadPart, sqlite: boolean): string {
  return sqlite ? `messages INDEXED BY ${CONTACT_HISTORY_INDEX[p.direction]}` : 'messages';
}

/** The part's filter; parameters: agent id, the values, then the channel when it has one. */
function partWhere(p: ThreadPart): string {
  const channel = p.channel ? ' AND channel = ?' : '';
  return `agent_id = ? AND lower(${p.column}) IN (${p.values.map(() => '?').join(', ')})${channel} AND direction = '${p.direction}'`;
}

type Cursor = { clause: string; params: SqlParam[] } | null;

function cursorOf(before: TrafficPosition | undefined, codec: SqlCodec): Cursor {
  return before ? { clause: '(created_at, id) < (?, ?)', params: [codec.time(before.createdAt), before.id] } : null;
}

/** A thread's newest `n` messages before the cursor (exported for the query-plan test). */
export function threadMessagesSql(
  contact: ContactRecord, before: TrafficPosition | undefined, n: number, { codec, dialect }: Pick<SqlExecutor, 'codec' | 'dialect'>,
): { sql: string; params: SqlParam[] } {
  return newestOf('messages', MESSAGE_COLUMNS, contact.agentId, messageParts(contact.addresses), cursorOf(before, codec), n, dialect === 'sqlite');
}

/** A thread's newest `n` calls before the cursor; null for a contact without a phone number. */
export function threadCallsSql(contact: ContactRecord, before: TrafficPosition | undefined, n: number, codec: SqlCodec): { sql: string; params: SqlParam[] } | null {
  const phones = contact.addresses.filter((a) => a.kind === 'phone').map((a) => a.address);
  return phones.length > 0 ? newestOf('call_logs', CALL_LOG_COLUMNS, contact.agentId, callParts(phones), cursorOf(before, codec), n, false) : null;
}

/**
 * The newest `n` rows over all parts: each part its own newest `n` through its (agent_id, lower(address),
 * created_at, id) index, merged. One OR across the parts would have the planner walk the agent's whole history.
 */
function newestOf(
  table: 'messages' | 'call_logs', columns: string, agentId: string, parts: ThreadPart[], cursor: Cursor, n: number, sqlite: boolean,
): { sql: string; params: SqlParam[] } {
  const page = cursor ? ` AND ${cursor.clause}` : '';
  const from = (p: ThreadPart) => (table === 'messages' ? messagesOf(p, sqlite) : table);
  const selects = parts.map((p, i) =>
    `SELECT * FROM (SELECT ${columns} FROM ${from(p)} WHERE ${partWhere(p)}${page} ORDER BY created_at DESC, id DESC LIMIT ?) AS part${i}`);
  const params = parts.flatMap((p) => [agentId, ...p.values, ...(p.channel ? [p.channel] : []), ...(cursor?.params ?? []), n]);
  return { sql: `${selects.join(' UNION ALL ')} ORDER BY created_at DESC, id DESC LIMIT ?`, params: [...params, n] };
}

function positionOf(item: ThreadItem): TrafficPosition {
  return item.kind === 'message' ? item.message : item.call;
}

/** Descending by (createdAt, id), ids compared in byte order as the database's "C" collation does. */
function newestPosition(x: TrafficPosition, y: TrafficPosition): number {
  return y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : x.id > y.id ? -1 : 0);
}

function newestFirst(x: ThreadItem, y: ThreadItem): number {
  return newestPosition(positionOf(x), positionOf(y));
}
