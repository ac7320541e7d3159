import type {
  AgentComplianceRecord, ComplianceChannel, ComplianceRepository, ConsentRecord, ContactHoldings, DoNotContactEntry,
  ErasureTombstone, OptOutRecord, SendBlocks, SendBlocksQuery,
} from '../../ports/compliance.js';
import { CALL_LOG_COLUMNS, toCallLog } from './call-log-mapping.js';
import { MESSAGE_COLUMNS, toMessage } from './row-mapping.js';
import { jsonObject, member, nullableText, text } from './row-values.js';
import type { SqlCodec, SqlExecutor, SqlParam, SqlRow, SqlSession } from './sql-executor.js';
import { ANY, orAny, sendBlocksOf, toDoNotContact, toOptOut } from './compliance-rows.js';
import { SendBlocksBatch } from './postgresql-send-blocks-batch.js';

/** Ids per IN list: well below both drivers' parameter limits. */
const CHUNK = 500;

const OPT_OUT_COLUMNS = 'contact_hash, channel, sender, scope, source, created_at';
const DNC_COLUMNS = 'contact_hash, agent_id, source, created_at';
const CONSENT_COLUMNS = 'id, agent_id, contact_hash, channel, scope, status, source, evidence, given_at, created_at';

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** `%` and `_` of a contact taken literally in LIKE (email addresses may hold `_`). */
const likePattern = (value: string): string => `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** True when `value` (a stored address, a recipient list, or metadata) names the contact exactly. */
function names(value: unknown, contact: string): boolean {
  if (typeof value === 'string') return value.split(', ').some((part) => part.trim().replace(/^whatsapp:/i, '').toLowerCase() === contact);
  if (Array.isArray(value)) return value.some((v) => names(v, contact));
  if (value && typeof value === 'object') return Object.values(value).some((v) => names(v, contact));
  return false;
}

export class SqlComplianceRepository implements ComplianceRepository {
  private readonly codec: SqlCodec;
  /** PostgreSQL outside a transaction: the compliance reads of concurrent sends share one statement. */
  private readonly blocksBatch: SendBlocksBatch | null;

  constructor(private readonly sql: SqlExecutor) {
    this.codec = sql.codec;
    const arrayRows = sql.arrayRows?.bind(sql);
    this.blocksBatch = arrayRows ? new SendBlocksBatch(arrayRows, this.codec, (q) => this.findSendBlocksAlone(q)) : null;
  }

  async addOptOut(r: OptOutRecord): Promise<void> {
    await this.sql.run((s) => s.run(
      `INSERT INTO opt_outs (${OPT_OUT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [r.contactHash, r.channel, orAny(r.sender), r.scope, r.source, this.codec.time(r.createdAt)],
    ));
  }

  removeOptOuts(contactHash: string, channel: ComplianceChannel, sender: string | null): Promise<number> {
    return this.sql.run((s) => s.run('DELETE FROM opt_outs WHERE contact_hash = ? AND channel = ? AND sender IN (?, ?)', [contactHash, channel, orAny(sender), ANY]));
  }

  findOptOuts(contactHashes: readonly string[], channel: ComplianceChannel, sender: string): Promise<OptOutRecord[]> {
    if (contactHashes.length === 0) return Promise.resolve([]);
    const sql = `SELECT ${OPT_OUT_COLUMNS} FROM opt_outs WHERE contact_hash IN (${placeholders(contactHashes.length)}) AND channel = ? AND sender IN (?, ?) ORDER BY created_at`;
    return this.rows(sql, [...contactHashes, channel, sender, ANY], (row) => toOptOut(row, this.codec));
  }

  optOutsOf(contactHash: string): Promise<OptOutRecord[]> {
    return this.rows(`SELECT ${OPT_OUT_COLUMNS} FROM opt_outs WHERE contact_hash = ? ORDER BY created_at`, [contactHash], (row) => toOptOut(row, this.codec));
  }

  async addDoNotContact(entries: readonly DoNotContactEntry[]): Promise<number> {
    let added = 0;
    for (const part of chunks(entries)) {
      const sql = `INSERT INTO do_not_contact (${DNC_COLUMNS}) VALUES ${part.map(() => '(?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`;
      const params = part.flatMap((e) => [e.contactHash, orAny(e.agentId), e.source, this.codec.time(e.createdAt)]);
      added += await this.sql.run((s) => s.run(sql, params));
    }
    return added;
  }

  async removeDoNotContact(contactHashes: readonly string[], agentId: string | null): Promise<number> {
    let removed = 0;
    for (const part of chunks(contactHashes)) {
      const sql = `DELETE FROM do_not_contact WHERE agent_id = ? AND contact_hash IN (${placeholders(part.length)})`;
      removed += await this.sql.run((s) => s.run(sql, [orAny(agentId), ...part]));
    }
    return removed;
  }

  async findDoNotContact(contactHashes: readonly string[], agentId: string | null): Promise<DoNotContactEntry[]> {
    const found: DoNotContactEntry[] = [];
    for (const part of chunks(contactHashes)) {
      const lists = agentId === null ? '' : 'AND agent_id IN (?, ?) ';
      const sql = `SELECT ${DNC_COLUMNS} FROM do_not_contact WHERE contact_hash IN (${placeholders(part.length)}) ${lists}ORDER BY agent_id`;
      found.push(...(await this.rows(sql, agentId === null ? part : [...part, agentId, ANY], (row) => toDoNotContact(row, this.codec))));
    }
    return found;
  }

  async findSendBlocks(q: SendBlocksQuery): Promise<SendBlocks> {
    if (q.contactHashes.length === 0) return { optOuts: [], doNotContact: [] };
    if (q.contactHashes.length > CHUNK) {
      const [optOuts, doNotContact] = [await this.findOptOuts(q.contactHashes, q.channel, q.sender), q.doNotContact ? await this.findDoNotContact(q.contactHashes, q.agentId) : []];
      return { optOuts, doNotContact };
    }
    return this.blocksBatch ? this.blocksBatch.find(q) : this.findSendBlocksAlone(q);
  }

  private async findSendBlocksAlone(q: SendBlocksQuery): Promise<SendBlocks> {
    // Both lists in one statement (a round trip per send saved); the columns a list lacks are NULL.
    const hashes = placeholders(q.contactHashes.length);
    const optOuts = `SELECT 'o' AS list, contact_hash, channel, sender, scope, source, NULL AS agent_id, created_at FROM opt_outs WHERE contact_hash IN (${hashes}) AND channel = ? AND sender IN (?, ?)`;
    const dnc = `SELECT 'd' AS list, contact_hash, NULL, NULL, NULL, source, agent_id, created_at FROM do_not_contact WHERE contact_hash IN (${hashes}) AND agent_id IN (?, ?)`;
    const sql = q.doNotContact ? `${optOuts} UNION ALL ${dnc}` : optOuts;
    const params = [...q.contactHashes, q.channel, q.sender, ANY, ...(q.doNotContact ? [...q.contactHashes, q.agentId, ANY] : [])];
    return sendBlocksOf(await this.sql.run((s) => s.rows(sql, params)), this.codec);
  }

  async recordConsent(r: ConsentRecord): Promise<void> {
    await this.sql.run((s) => s.run(`INSERT INTO consents (${CONSENT_COLUMNS}) VALUES (${placeholders(10)})`, [
      r.id, r.agentId, r.contactHash, r.channel, r.scope, r.status, r.source, r.evidence, this.codec.time(r.givenAt), this.codec.time(r.createdAt),
    ]));
  }

  consents(contactHash: string, agentId: string | null): Promise<ConsentRecord[]> {
    const byAgent = agentId === null ? '' : ' AND agent_id = ?';
    const sql = `SELECT ${CONSENT_COLUMNS} FROM consents WHERE contact_hash = ?${byAgent} ORDER BY given_at DESC, created_at DESC, id DESC`;
    return this.rows(sql, agentId === null ? [contactHash] : [contactHash, agentId], (row) => ({
      id: text(row, 'id'), agentId: text(row, 'agent_id'), contactHash: text(row, 'contact_hash'), channel: member(row, 'channel'),
      scope: member(row, 'scope'), status: member(row, 'status'), source: text(row, 'source'), evidence: nullableText(row, 'evidence'),
      givenAt: this.codec.readTime(row.given_at), createdAt: this.codec.readTime(row.created_at),
    }));
  }

  async getAgentSettings(agentId: string): Promise<AgentComplianceRecord | null> {
    const [record] = await this.rows('SELECT agent_id, settings, updated_at FROM agent_compliance WHERE agent_id = ?', [agentId], (row) => ({
      agentId: text(row, 'agent_id'), settings: jsonObject(row, 'settings', this.codec), updatedAt: this.codec.readTime(row.updated_at),
    }));
    return record ?? null;
  }

  async setAgentSettings(r: AgentComplianceRecord): Promise<void> {
    await this.sql.run((s) => s.run(
      'INSERT INTO agent_compliance (agent_id, settings, updated_at) VALUES (?, ?, ?) ' +
        'ON CONFLICT (agent_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at',
      [r.agentId, this.codec.json(r.settings), this.codec.time(r.updatedAt)],
    ));
  }

  async holdings(contact: string): Promise<ContactHoldings> {
    // A LIKE over the text columns finds candidates (no index serves a search across agents; erasure
    // and export are rare admin work); the exact check in `names` keeps only real mentions.
    const metadata = this.sql.dialect === 'postgresql' ? 'metadata::text' : 'metadata';
    const where = `WHERE lower(from_addr) LIKE ? ESCAPE '\\' OR lower(to_addr) LIKE ? ESCAPE '\\' OR lower(${metadata}) LIKE ? ESCAPE '\\'`;
    const pattern = likePattern(contact);
    const params = [pattern, pattern, pattern];
    const mentions = (row: SqlRow) => names([row.from_addr, row.to_addr, this.codec.readJson(row.metadata)], contact);
    return this.sql.run(async (s) => ({
      messages: (await s.rows(`SELECT ${MESSAGE_COLUMNS} FROM messages ${where} ORDER BY created_at, id`, params)).filter(mentions).map((row) => toMessage(row, this.codec)),
      calls: (await s.rows(`SELECT ${CALL_LOG_COLUMNS} FROM call_logs ${where} ORDER BY created_at, id`, params)).filter(mentions).map((row) => toCallLog(row, this.codec)),
    }));
  }

  async erase(ids: { messageIds: readonly string[]; callIds: readonly string[] }, tombstone: ErasureTombstone): Promise<void> {
    await this.sql.atomic(async (s) => {
      for (const part of chunks(ids.callIds)) {
        await s.run(`DELETE FROM call_turns WHERE call_id IN (${placeholders(part.length)})`, part);
        await s.run(`UPDATE usage_records SET call_id = NULL WHERE call_id IN (${placeholders(part.length)})`, part);
        await s.run(`DELETE FROM call_logs WHERE id IN (${placeholders(part.length)})`, part);
      }
      for (const part of chunks(ids.messageIds)) {
        await s.run(`DELETE FROM callback_deliveries WHERE message_id IN (${placeholders(part.length)})`, part);
        await s.run(`UPDATE usage_records SET message_id = NULL WHERE message_id IN (${placeholders(part.length)})`, part);
        await s.run(`DELETE FROM messages WHERE id IN (${placeholders(part.length)})`, part);
      }
      await s.run('DELETE FROM consents WHERE contact_hash = ?', [tombstone.contactHash]);
      await this.writeTombstone(s, tombstone);
    });
  }

  async findTombstone(contactHash: string): Promise<ErasureTombstone | null> {
    const [found] = await this.rows('SELECT contact_hash, erased_at, counts FROM erasure_tombstones WHERE contact_hash = ?', [contactHash], (row) => ({
      contactHash: text(row, 'contact_hash'), erasedAt: this.codec.readTime(row.erased_at), counts: jsonObject(row, 'counts', this.codec) as Record<string, number>,
    }));
    return found ?? null;
  }

  private async writeTombstone(s: SqlSession, t: ErasureTombstone): Promise<void> {
    await s.run(
      'INSERT INTO erasure_tombstones (contact_hash, erased_at, counts) VALUES (?, ?, ?) ' +
        'ON CONFLICT (contact_hash) DO UPDATE SET erased_at = excluded.erased_at, counts = excluded.counts',
      [t.contactHash, this.codec.time(t.erasedAt), this.codec.json(t.counts)],
    );
  }

  private rows<T>(sql: string, params: readonly SqlParam[], map: (row: SqlRow) => T): Promise<T[]> {
    return this.sql.run(async (s) => (await s.rows(sql, params)).map(map));
  }
}
