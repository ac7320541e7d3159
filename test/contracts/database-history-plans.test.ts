/**
 * Every filter combination of a history page (comms_get_messages), a contact thread's messages and
 * comms_list_calls are served by an index read in order, on SQLite and PostgreSQL (threads and the history's
 * contact filter by the same two per-direction indexes): checked on the plans the databases choose for the
 * very SQL the repositories run, over 20k seeded rows with one agent holding about half of them.
 * PostgreSQL plans are taken as chosen (no enable_seqscan tricks), after ANALYZE, both as a custom plan
 * and as the generic plan a prepared statement ends up with; SQLite's without ANALYZE, as deployed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePluginContext } from '../../contracts/database.js';
import { callHistorySql } from '../../adapters/mikro-orm/call-log-repository.js';
import { threadMessagesSql } from '../../adapters/mikro-orm/contact-repository.js';
import { messageHistorySql } from '../../adapters/mikro-orm/message-history-query.js';
import { sqliteCodec } from '../../adapters/mikro-orm/sqlite-group-commit.js';
import { postgresqlCodec } from '../../adapters/mikro-orm/postgresql-executor.js';
import { SqlClauses } from '../../adapters/mikro-orm/sql-clauses.js';
import postgresqlPlugin from '../../adapters/mikro-orm/postgresql-plugin.js';
import sqlitePlugin from '../../adapters/mikro-orm/sqlite-plugin.js';
import type { SqlCodec, SqlParam } from '../../adapters/mikro-orm/sql-executor.js';
import type { AgentRecord, MessageRecord } from '../../ports/records.js';
import type { Database, MessageQuery } from '../../ports/repositories.js';
import { agentId, contactNumber, messageId, seedCallsSql, seedMessagesSql, type HistoryShape, type SeedDialect } from '../support/history-seed.js';
import { POSTGRES_URL, testSchemaName } from '../support/postgres-schema.js';

const ROWS = 20_000;
const CALLS = 5_000;
const LIMIT = 20;
const SHAPE: HistoryShape = { agents: 10, contacts: 400, start: new Date('2026-01-01T00:00:00.000Z') };
const at = (row: number) => new Date(SHAPE.start.getTime() + row * 1000);
const BIG_AGENT = agentId(0);

/** Each filter's probe value: a rare channel, the inbox, a contact with a few messages, mid-history bounds. */
const FILTERS = {
  channel: { channel: 'whatsapp' },
  direction: { direction: 'inbound' },
  contact: { contact: contactNumber(20) },
  since: { since: at(ROWS / 2) },
  before: { before: { createdAt: at((ROWS * 3) / 4), id: messageId((ROWS * 3) / 4) } },
} satisfies Record<string, Partial<MessageQuery>>;
type FilterName = keyof typeof FILTERS;

/** All 32 combinations of the five filters. */
function combinations(): FilterName[][] {
  const names = Object.keys(FILTERS) as FilterName[];
  return Array.from({ length: 1 << names.length }, (_, mask) => names.filter((_, i) => mask & (1 << i)));
}

function queryOf(names: FilterName[]): MessageQuery {
  return Object.assign({ agentId: BIG_AGENT, limit: LIMIT }, ...names.map((name) => FILTERS[name])) as MessageQuery;
}

/** The index(es) each combination must be read through: the most selective one its filters allow. */
function expectedIndexes(names: FilterName[]): string[] {
  const has = (name: FilterName) => names.includes(name);
  if (has('contact')) {
    const inbound = 'messages_history_inbound_contact_index';
    return has('direction') ? [inbound] : ['messages_history_outbound_contact_index', inbound];
  }
  if (has('channel')) return ['messages_history_channel_index'];
  if (has('direction')) return ['messages_history_direction_index'];
  return ['messages_agent_id_created_at_id_index'];
}

function agent(k: number): AgentRecord {
  const now = SHAPE.start;
  return {
    id: agentId(k), name: `history ${k}`, tokenHash: `hash-hist-${k}`, callbackUrl: null, callbackSecret: 'whsec',
    status: 'active', voice: {}, createdAt: now, updatedAt: now,
  };
}

/** What a page must hold, computed the slow, obvious way (the OR the repository no longer runs). */
function referenceSql(query: MessageQuery, codec: SqlCodec): { sql: string; params: SqlParam[] } {
  const where = new SqlClauses('agent_id = ?', query.agentId);
  if (query.channel) where.and('channel = ?', query.channel);
  if (query.direction) where.and('direction = ?', query.direction);
  if (query.contact) {
    where.and("((direction = 'outbound' AND lower(to_addr) = lower(?)) OR (direction = 'inbound' AND lower(from_addr) = lower(?)))", query.contact, query.contact);
  }
  if (query.since) where.and('created_at >= ?', codec.time(query.since));
  if (query.before) {
    const createdAt = codec.time(query.before.createdAt);
    where.and('(created_at < ? OR (created_at = ? AND id < ?))', createdAt, createdAt, query.before.id);
  }
  const sql = `SELECT id FROM messages WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ${query.limit}`;
  return { sql, params: where.params };
}

interface PlanProbe {
  readonly dialect: SeedDialect;
  readonly codec: SqlCodec;
  /**
   * The names of the indexes the plan reads `messages` / `call_logs` through; fails on any full scan, on a
   * sort of a table's rows (SQLite) or on more than `maxExamined` rows read or sorted (PostgreSQL).
   */
  indexesUsed(sql: string, params: SqlParam[], maxExamined: number): Promise<string[]>;
  ids(sql: string, params: SqlParam[]): Promise<string[]>;
}

function describeHistoryPlans(name: string, open: () => Promise<{ db: Database; probe: PlanProbe; seed: (sql: string) => Promise<void>; dialect: SeedDialect; close(): Promise<void> }>): void {
  describe(`history query plans: ${name}`, () => {
    let handle: Awaited<ReturnType<typeof open>>;

    beforeAll(async () => {
      handle = await open();
      await handle.db.migrate();
      for (let k = 0; k < SHAPE.agents; k++) await handle.db.agents.create(agent(k), []);
      await handle.seed(seedMessagesSql(handle.dialect, SHAPE, 0, ROWS));
      await handle.seed(seedCallsSql(handle.dialect, SHAPE, CALLS));
    }, 120_000);

    afterAll(async () => {
      await handle?.close();
    });

    it.each(combinations().map((names) => [names.join(' + ') || 'agent only', names] as const))(
      'reads %s through an index, newest first, and returns what the plain query returns',
      async (_label, names) => {
        const query = queryOf(names);
        const { sql, params } = messageHistorySql(query, LIMIT, handle.probe);
        // The big agent has ~9k rows; a page may read a few times its size, never the agent's history.
        const used = await handle.probe.indexesUsed(sql, params, 10 * LIMIT);
        expect(used.sort()).toEqual(expectedIndexes(names).sort());

        const reference = referenceSql(query, handle.probe.codec);
        const expected = await handle.probe.ids(reference.sql, reference.params);
        const page = (await handle.db.messages.list(query)).map((m: MessageRecord) => m.id);
        expect(page).toEqual(expected);
        // The probe values are chosen so that most combinations have rows to page through.
        if (names.length <= 2) expect(page.length).toBeGreaterThan(0);
      },
    );

    it.each([['first page', undefined], ['with a cursor', { createdAt: at((ROWS * 3) / 4), id: messageId((ROWS * 3) / 4) }]] as const)(
      'reads a contact thread\'s messages, %s, through the same per-direction contact indexes as the history',
      async (_label, before) => {
        const contact = await handle.db.contacts.findByAddress(BIG_AGENT, 'phone', contactNumber(20));
        expect(contact?.addresses).toEqual([{ kind: 'phone', address: contactNumber(20) }]);
        const { sql, params } = threadMessagesSql(contact!, before, LIMIT, handle.probe);
        const used = await handle.probe.indexesUsed(sql, params, 10 * LIMIT);
        expect(used.sort()).toEqual(['messages_history_inbound_contact_index', 'messages_history_outbound_contact_index']);
        const thread = (await handle.db.contacts.thread(contact!, before, LIMIT)).flatMap((item) => (item.kind === 'message' ? [item.message.id] : []));
        const history = await handle.db.messages.list({ agentId: BIG_AGENT, contact: contactNumber(20), channel: 'sms', before, limit: LIMIT });
        expect(thread.length).toBeGreaterThan(0);
        expect(thread).toEqual(history.map((m) => m.id).slice(0, thread.length));
      },
    );

    it('matches a contact whatever the letter case of the address or of the filter', async () => {
      const stored = 'Pat.Example@Example.com';
      const message: MessageRecord = {
        id: 'msg_case_1', agentId: agentId(1), channel: 'email', direction: 'outbound', from: 'agent@example.com', to: stored,
        body: 'hello', status: 'sent', provider: 'mock', providerMessageId: null, idempotencyKey: null, requestHash: null,
        errorCode: null, errorMessage: null, metadata: {}, createdAt: at(ROWS + 1), updatedAt: at(ROWS + 1),
      };
      await handle.db.messages.insertOutbound(message);
      for (const contact of [stored, 'pat.example@example.com', 'PAT.EXAMPLE@EXAMPLE.COM']) {
        const page = await handle.db.messages.list({ agentId: agentId(1), contact, limit: LIMIT });
        expect(page.map((m) => m.id)).toEqual(['msg_case_1']);
      }
      expect(await handle.db.messages.list({ agentId: agentId(1), contact: 'pat@example.com', limit: LIMIT })).toEqual([]);
    });

    it.each([['first page', {}], ['with a cursor', { before: { createdAt: at(CALLS / 2), id: `cal_hist_${CALLS / 2}` } }]] as const)(
      'reads the calls %s through (agent_id, created_at, id)',
      async (_label, extra) => {
        const { sql, params } = callHistorySql({ agentId: BIG_AGENT, limit: LIMIT, ...extra }, LIMIT, handle.probe.codec);
        expect(await handle.probe.indexesUsed(sql, params, 2 * LIMIT)).toEqual(['call_logs_agent_id_created_at_id_index']);
      },
    );
  });
}

/** SQLite: EXPLAIN QUERY PLAN lines; every read of the tables is a SEARCH through a named index, no temp sort per branch. */
function sqliteProbe(file: string): PlanProbe & { close(): void } {
  const connection = new Sqlite(file, { readonly: true });
  return {
    dialect: 'sqlite',
    codec: sqliteCodec,
    async indexesUsed(sql, params) {
      const plan = connection.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { id: number; parent: number; detail: string }[];
      const details = plan.map((row) => row.detail);
      const reads = details.filter((detail) => /^(SCAN|SEARCH) (messages|call_logs)\b/.test(detail));
      expect(reads.length, details.join('\n')).toBeGreaterThan(0);
      for (const read of reads) expect(read, details.join('\n')).toMatch(/^SEARCH \w+ USING (COVERING )?INDEX \w+ \(agent_id=/);
      // The merge of two branches may sort their ≤ limit rows each (SQLite cannot know a subquery's order);
      // no sort may sit beside a table read, which would mean the index did not give the order.
      const readParents = new Set(plan.filter((row) => reads.includes(row.detail)).map((row) => row.parent));
      const tableSorts = plan.filter((row) => /TEMP B-TREE FOR ORDER BY/.test(row.detail) && readParents.has(row.parent));
      expect(tableSorts, details.join('\n')).toEqual([]);
      return [...new Set(reads.map((read) => /INDEX (\w+)/.exec(read)?.[1] ?? ''))];
    },
    async ids(sql, params) {
      return (connection.prepare(sql).all(params) as { id: string }[]).map((row) => row.id);
    },
    close: () => connection.close(),
  };
}

interface PgPlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PgPlanNode[];
}

/** Rows a scan fetched from the table, kept or not. */
function rowsTouched(read: PgPlanNode): number {
  const fetched = (read['Actual Rows'] ?? 0) + (read['Rows Removed by Filter'] ?? 0) + (read['Rows Removed by Index Recheck'] ?? 0);
  return fetched * (read['Actual Loops'] ?? 1);
}

function flatten(node: PgPlanNode): PgPlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}

const toDollars = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};
const literal = (value: SqlParam) => (typeof value === 'number' ? String(value) : value === null ? 'NULL' : `'${value.replace(/'/g, "''")}'`);

/**
 * PostgreSQL: EXPLAIN ANALYZE of a custom plan (parameters bound) and of the generic plan a prepared
 * statement settles on. No Seq Scan or Bitmap scan (which loses the order) of the tables, no Sort over
 * more than the merged branches' rows, and the rows read stay near the page size: the agent's ~9k rows
 * are never walked.
 */
function postgresqlProbe(client: pg.Client): PlanProbe {
  let statements = 0;
  const check = (plan: PgPlanNode, maxExamined: number): string[] => {
    const nodes = flatten(plan);
    const described = JSON.stringify(plan, null, 1);
    const reads = nodes.filter((node) => node['Relation Name'] === 'messages' || node['Relation Name'] === 'call_logs');
    expect(reads.length, described).toBeGreaterThan(0);
    // A bitmap scan is the planner's pick for a contact with few rows: it reads just those, then sorts them.
    for (const read of reads) expect(['Index Scan', 'Index Only Scan', 'Bitmap Heap Scan'], described).toContain(read['Node Type']);
    const examined = reads.reduce((sum, read) => sum + rowsTouched(read), 0);
    expect(examined, described).toBeLessThanOrEqual(maxExamined);
    for (const sort of nodes.filter((node) => node['Node Type'] === 'Sort')) {
      expect(sort['Actual Rows'] ?? 0, described).toBeLessThanOrEqual(maxExamined);
    }
    return [...new Set(nodes.flatMap((node) => (node['Index Name'] ? [node['Index Name']] : [])))];
  };
  const explain = async (sql: string, values: SqlParam[]): Promise<PgPlanNode> => {
    const result = await client.query<{ 'QUERY PLAN': [{ Plan: PgPlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, values);
    return (result.rows[0] as { 'QUERY PLAN': [{ Plan: PgPlanNode }] })['QUERY PLAN'][0].Plan;
  };
  return {
    dialect: 'postgresql',
    codec: postgresqlCodec((value) => new Date(value)),
    async indexesUsed(sql, params, maxExamined) {
      const custom = check(await explain(toDollars(sql), params), maxExamined);
      const name = `history_plan_${statements++}`;
      await client.query(`PREPARE ${name} AS ${toDollars(sql)}`);
      await client.query('SET plan_cache_mode = force_generic_plan');
      try {
        const generic = check(await explain(`EXECUTE ${name}(${params.map(literal).join(', ')})`, []), maxExamined);
        expect(generic.sort()).toEqual([...custom].sort());
      } finally {
        await client.query('RESET plan_cache_mode');
        await client.query(`DEALLOCATE ${name}`);
      }
      return custom;
    },
    async ids(sql, params) {
      return (await client.query<{ id: string }>(toDollars(sql), params)).rows.map((row) => row.id);
    },
  };
}

describeHistoryPlans('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'comms-plans-'));
  const file = join(dir, 'history.sqlite');
  const db = await sqlitePlugin.create({ path: file }, databasePluginContext(dir));
  let probe: (PlanProbe & { close(): void }) | null = null;
  return {
    db,
    dialect: 'sqlite',
    get probe() {
      probe ??= sqliteProbe(file);
      return probe;
    },
    seed: async (sql) => {
      const writer = new Sqlite(file);
      try {
        writer.exec(sql);
      } finally {
        writer.close();
      }
    },
    close: async () => {
      probe?.close();
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe.skipIf(!POSTGRES_URL)('postgresql (set COMMS_TEST_POSTGRES_URL to run)', () => {
  describeHistoryPlans('postgresql', async () => {
    const schema = testSchemaName();
    const db = await postgresqlPlugin.create({ url: POSTGRES_URL as string, schema, poolMax: 2 }, databasePluginContext(tmpdir()));
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`SET search_path TO "${schema}"`);
    return {
      db,
      dialect: 'postgresql',
      probe: postgresqlProbe(client),
      seed: async (sql) => {
        await client.query(sql);
        await client.query('ANALYZE messages');
        await client.query('ANALYZE call_logs');
      },
      close: async () => {
        await db.close();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      },
    };
  });
});
