/**
 * History pages (what comms_get_messages runs) and contact threads on the table seed-messages.ts built:
 * p50 / p99 / max of `messages.list` per filter and of `contacts.thread`, one caller, 20 per page, beside the
 * round trip of a prepared SELECT 1 (the floor the machine allows at the time), and the server's own execution time of the same SQL
 * (EXPLAIN ANALYZE; on a shared machine the wall clock mostly measures the scheduler). Then the contact filter as
 * it was before (an OR of the two directions, without the history indexes, dropped inside a transaction that is
 * rolled back; BENCH_BEFORE_PAGES pages, default 3).
 *
 *   COMMS_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test npx tsx test/bench/seed-messages.ts 1000000
 *   COMMS_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test npm run bench:history [-- iterations=300 schema=bench_history]
 */
import { tmpdir } from 'node:os';
import pg from 'pg';
import postgresqlPlugin from '../../adapters/mikro-orm/postgresql-plugin.js';
import { HISTORY_INDEXES } from '../../adapters/mikro-orm/migrations/history-indexes.js';
import { messageHistorySql } from '../../adapters/mikro-orm/message-history-query.js';
import { postgresqlCodec } from '../../adapters/mikro-orm/postgresql-executor.js';
import type { SqlParam } from '../../adapters/mikro-orm/sql-executor.js';
import { databasePluginContext } from '../../contracts/database.js';
import type { ContactRecord } from '../../ports/contacts.js';
import type { MessageQuery } from '../../ports/repositories.js';
import { threadMessagesSql } from '../../adapters/mikro-orm/contact-repository.js';
import { agentId, contactNumber } from '../support/history-seed.js';
import { BENCH_SHAPE, DEFAULT_BENCH_SCHEMA } from './seed-messages.js';

const ITERATIONS = Number(process.argv[2] ?? 300);
const SCHEMA = process.argv[3] ?? DEFAULT_BENCH_SCHEMA;
const LIMIT = 20;
/** Pages of the "before" query: each walks the busiest agent's whole history (seconds at 10M rows). */
const BEFORE_ITERATIONS = Number(process.env.BENCH_BEFORE_PAGES ?? 3);
const SERVER_ITERATIONS = 50;

function percentiles(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `p50 ${at(0.5).toFixed(2).padStart(7)} ms   p99 ${at(0.99).toFixed(2).padStart(7)} ms   max ${at(1).toFixed(2).padStart(7)} ms`;
}

async function timed(iterations: number, work: () => Promise<unknown>): Promise<number[]> {
  await work(); // warm: prepared statement, cache
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return samples;
}

/** The server's own execution time of `sql`, free of the client's and the machine's scheduling. */
async function serverTimes(client: pg.Client, sql: string, params: SqlParam[]): Promise<number[]> {
  let n = 0;
  const text = `EXPLAIN (ANALYZE, FORMAT JSON) ${sql.replace(/\?/g, () => `$${++n}`)}`;
  const samples: number[] = [];
  for (let i = 0; i < SERVER_ITERATIONS; i++) {
    const { rows } = await client.query<{ 'QUERY PLAN': [{ 'Execution Time': number }] }>(text, params);
    samples.push(rows[0]?.['QUERY PLAN'][0]['Execution Time'] ?? 0);
  }
  return samples;
}

async function main(): Promise<void> {
  const url = process.env.COMMS_TEST_POSTGRES_URL;
  if (!url) throw new Error('Set COMMS_TEST_POSTGRES_URL and seed first (test/bench/seed-messages.ts).');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`SET search_path TO "${SCHEMA}"`);
  const { rows: [stats] } = await client.query<{ rows: string; newest: Date; big: string }>(
    'SELECT count(*) AS rows, max(created_at) AS newest, ' +
      '(SELECT count(*) FROM messages WHERE agent_id = $1) AS big FROM messages', [agentId(0)],
  );
  const rows = Number(stats?.rows);
  const newest = (stats?.newest ?? new Date()).getTime();
  const start = BENCH_SHAPE.start.getTime();
  const middle = new Date(start + (newest - start) / 2);
  // A cursor deep in the history: a page far back, not the first one.
  const [cursorRow] = (await client.query<{ id: string; created_at: Date }>(
    'SELECT id, created_at FROM messages WHERE agent_id = $1 AND created_at <= $2 ORDER BY created_at DESC, id DESC LIMIT 1',
    [agentId(0), new Date(start + (newest - start) / 4)],
  )).rows;
  // The busiest agent's rarest and most frequent contacts among the first 5,000.
  const { rows: contacts } = await client.query<{ contact: string; n: string }>(
    "SELECT CASE WHEN direction = 'outbound' THEN to_addr ELSE from_addr END AS contact, count(*) AS n FROM messages " +
      "WHERE agent_id = $1 AND id LIKE 'msg_hist_%' AND created_at < $2 GROUP BY 1 ORDER BY 2",
    [agentId(0), new Date(start + 5_000 * 1000)],
  );
  const rare = contacts[0]?.contact ?? contactNumber(71_999);
  const frequent = contacts[contacts.length - 1]?.contact ?? contactNumber(0);
  const [rareCount, frequentCount] = await Promise.all([rare, frequent].map(async (contact) => Number((await client.query<{ n: string }>(
    "SELECT count(*) AS n FROM messages WHERE agent_id = $1 AND ((direction = 'outbound' AND to_addr = $2) OR (direction = 'inbound' AND from_addr = $2))",
    [agentId(0), contact],
  )).rows[0]?.n)));
  console.log(`messages: ${rows.toLocaleString('en')} rows; busiest agent ${Number(stats?.big).toLocaleString('en')} rows; ` +
    `contacts of it: rare ${rareCount} rows, frequent ${frequentCount} rows; ${ITERATIONS} pages of ${LIMIT} per filter\n`);

  const before = cursorRow ? { createdAt: cursorRow.created_at, id: cursorRow.id } : undefined;
  const filters: [string, Partial<MessageQuery>][] = [
    ['agent only (first page)', {}],
    ['agent, deep cursor', { before }],
    ['since (middle of history)', { since: middle }],
    ['direction inbound', { direction: 'inbound' }],
    ['channel whatsapp', { channel: 'whatsapp' }],
    ['channel whatsapp + inbound', { channel: 'whatsapp', direction: 'inbound' }],
    ['channel email + deep cursor', { channel: 'email', before }],
    ['contact, rare', { contact: rare }],
    ['contact, frequent', { contact: frequent }],
    ['contact, frequent + deep cursor', { contact: frequent, before }],
    ['contact + inbound', { contact: frequent, direction: 'inbound' }],
    ['contact + channel sms', { contact: frequent, channel: 'sms' }],
    ['contact + since + channel', { contact: frequent, since: middle, channel: 'email' }],
    ['everything', { contact: frequent, channel: 'sms', direction: 'outbound', since: new Date(start), before }],
  ];
  const db = await postgresqlPlugin.create({ url, schema: SCHEMA, poolMax: 2 }, databasePluginContext(tmpdir()));
  const codec = postgresqlCodec((value) => new Date(value));
  console.log(`${''.padEnd(34)} round trip through the repository (wall clock)                 server execution (EXPLAIN ANALYZE)`);
  // The floor of any page on this machine now: a prepared SELECT 1 on a plain client, then through the repository's pool.
  const floor = await timed(ITERATIONS, () => client.query({ name: 'floor', text: 'SELECT 1' }));
  console.log(`${'SELECT 1, plain pg client (floor)'.padEnd(34)} ${percentiles(floor)}`);
  try {
    for (const [label, filter] of filters) {
      const query: MessageQuery = { agentId: agentId(0), limit: LIMIT, ...filter };
      const samples = await timed(ITERATIONS, () => db.messages.list(query));
      const { sql, params } = messageHistorySql(query, LIMIT, { dialect: 'postgresql', codec });
      const server = await serverTimes(client, sql, params);
      console.log(`${label.padEnd(34)} ${percentiles(samples)}   ${percentiles(server)}`);
    }
    // Threads (comms_get_thread): the seed files no contacts, so each is the contact of one phone number.
    for (const [label, address] of [['thread, rare contact', rare], ['thread, frequent contact', frequent]] as const) {
      const contact: ContactRecord = {
        id: 'ctc_bench', agentId: agentId(0), name: null, addresses: [{ kind: 'phone', address }], last: null, readThrough: null, createdAt: new Date(start),
      };
      for (const [suffix, cursor] of [['', undefined], [' + deep cursor', before]] as const) {
        const samples = await timed(ITERATIONS, () => db.contacts.thread(contact, cursor, LIMIT));
        const { sql, params } = threadMessagesSql(contact, cursor, LIMIT, { dialect: 'postgresql', codec });
        const server = await serverTimes(client, sql, params);
        console.log(`${(label + suffix).padEnd(34)} ${percentiles(samples)}   ${percentiles(server)}`);
      }
    }
  } finally {
    await db.close();
  }

  // Before: the OR query on the indexes the initial migration left (the history indexes dropped, then restored by ROLLBACK).
  const orQuery =
    'SELECT * FROM messages WHERE agent_id = $1 AND ((direction = \'outbound\' AND to_addr = $2) OR (direction = \'inbound\' AND from_addr = $3)) ' +
    'ORDER BY created_at DESC, id DESC LIMIT $4';
  console.log('\nbefore (OR over both directions, initial indexes only):');
  await client.query('BEGIN');
  try {
    for (const index of HISTORY_INDEXES) await client.query(`DROP INDEX ${index.name}`);
    for (const [label, contact] of [['contact, rare', rare], ['contact, frequent', frequent]] as const) {
      const samples = await timed(BEFORE_ITERATIONS, () => client.query({ name: `before_${label.length}`, text: orQuery, values: [agentId(0), contact, contact, LIMIT] }));
      const plan = await client.query<{ 'QUERY PLAN': [{ 'Execution Time': number }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${orQuery}`, [agentId(0), contact, contact, LIMIT]);
      const server = plan.rows[0]?.['QUERY PLAN'][0]['Execution Time'] ?? 0;
      console.log(`${label.padEnd(34)} ${percentiles(samples)}   server ${server.toFixed(2)} ms (${BEFORE_ITERATIONS} pages)`);
    }
  } finally {
    await client.query('ROLLBACK');
    await client.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
