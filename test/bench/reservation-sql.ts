/**
 * What each part of an SQLite usage reservation costs, below the repositories: the statements of a send with
 * usage limits on, run with better-sqlite3 on a copy of a migrated database (WAL, synchronous NORMAL, as the
 * server runs it), 64 sends per write transaction as the group commit batches them. Each variant adds its
 * statements to the message insert that every send makes (`off`); CPU per send from process.cpuUsage, runs
 * alternating A B … B A. The six claims are those of the limits bench's tier (three action windows, a new
 * contact each send, day and month spend).
 *   npx tsx test/bench/reservation-sql.ts [sends per run, default 20000] [variant …]
 */
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startTestServer } from '../support/test-server.js';
import { tempDir } from '../support/plugin-context.js';

const SENDS = Number(process.argv[2] ?? 20_000);
const BATCH = 64;
type Db = InstanceType<typeof Database>;

interface Variant { savepoint?: boolean; returning?: boolean; claims?: 'all' | 'same-contact' | 'none'; record?: boolean; messageInSavepoint?: boolean; setup?: string[] }
const VARIANTS: Record<string, Variant> = {
  off: { claims: 'none', record: false },
  'savepoint (before)': { savepoint: true, returning: true },
  'no savepoint (now)': { returning: true },
  'no savepoint, no RETURNING': {},
  'one job with the message (in a savepoint)': { savepoint: true, returning: true, messageInSavepoint: true },
  'claims alone': { returning: true, record: false },
  'claims alone, a known contact': { returning: true, record: false, claims: 'same-contact' },
  'records alone': { claims: 'none' },
  'records without their four indexes': {
    returning: true,
    setup: ['agent_id_created_at', 'state_held_until', 'message_id', 'call_id'].map((index) => `drop index usage_records_${index}_index`),
  },
};

const RECORD_COLUMNS = 'id, agent_id, channel, action, units, unit, provider, destination, cost_micros, price_micros, markup_bp, currency, cost_source, state, held_until, shares, message_id, call_id, created_at, updated_at';
const CLAIMS =
  `INSERT INTO usage_counters (agent_id, counter, window_start, window_end, used, cap) VALUES ${Array(6).fill('(?, ?, ?, ?, ?, ?)').join(', ')} ` +
  'ON CONFLICT (agent_id, counter, window_start) DO UPDATE SET used = usage_counters.used + excluded.used, cap = excluded.cap WHERE usage_counters.used + excluded.used <= excluded.cap';
const MESSAGE =
  'INSERT INTO messages (id, agent_id, channel, direction, from_addr, to_addr, body, status, provider, provider_message_id, idempotency_key, request_hash, error_code, error_message, metadata, created_at, updated_at) ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (agent_id, idempotency_key) DO NOTHING RETURNING id';

/** A migrated database with one agent, made by the real server; each run writes into a fresh copy of it. */
async function template(): Promise<{ file: string; agentId: string }> {
  const server = await startTestServer({ extra: { usage: { enabled: false } } });
  const { agentId } = await server.createAgent({ name: 'bench', phone: '+15550100099' });
  await server.close();
  const db = new Database(join(server.dir, 'comms.sqlite'));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { file: join(server.dir, 'comms.sqlite'), agentId };
}

function run(name: string, v: Variant, source: { file: string; agentId: string }, dir: string): number {
  const file = join(dir, 'run.sqlite');
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  copyFileSync(source.file, file);
  const db: Db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  for (const sql of v.setup ?? []) db.exec(sql);
  const claims = db.prepare(v.returning ? `${CLAIMS} RETURNING counter, window_start, used` : CLAIMS);
  const record = db.prepare(`INSERT INTO usage_records (${RECORD_COLUMNS}) VALUES (${RECORD_COLUMNS.split(', ').map(() => '?').join(', ')})`);
  const message = db.prepare(MESSAGE);
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const savepoint = db.prepare('SAVEPOINT job');
  const release = db.prepare('RELEASE job');
  const agent = source.agentId;
  let seq = 0;
  const id = (prefix: string): string => `${prefix}_${name.length}${String(seq++).padStart(20, '0')}`;
  const send = (i: number): void => {
    const now = Date.now();
    const day = Math.floor(now / 86_400_000) * 86_400_000;
    const contact = v.claims === 'same-contact' ? 'known' : `${i}`.padStart(32, '0');
    const rows: Array<[string, number, number, number, number]> = [
      ['actions:sms:minute', Math.floor(now / 60_000) * 60_000, 0, 1, 1e9], ['actions:sms:hour', Math.floor(now / 3_600_000) * 3_600_000, 0, 1, 1e9],
      ['actions:sms:day', day, day + 86_400_000, 1, 1e9], [`contact:message:${contact}`, day, day + 86_400_000, 1, 1000],
      ['spend:day', day, day + 86_400_000, 9960, 1e12], ['spend:month', day, day + 2_592_000_000, 9960, 1e13],
    ];
    const messageId = id('msg');
    const messageRow = [messageId, agent, 'sms', 'outbound', '+15550100099', `+1555${i}`, 'bench', 'pending', 'mock', null, null, null, null, null, '{}', now, now];
    if (v.savepoint) savepoint.run();
    if (v.claims !== 'none') {
      const params = rows.flatMap((row) => [agent, ...row]);
      if (v.returning) claims.all(params);
      else claims.run(params);
    }
    if (v.record !== false) {
      const shares = JSON.stringify(rows.map(([counter, start, end, amount]) => [counter, start, end, amount, 'count']));
      record.run([id('use'), agent, 'sms', 'message', 1, 'segment', 'mock', null, 8300, 9960, 2000, 'USD', 'price-table', 'held', now + 900_000, shares, messageId, null, now, now]);
    }
    if (v.messageInSavepoint) message.all(messageRow);
    if (v.savepoint) release.run();
    if (!v.messageInSavepoint) message.all(messageRow);
  };
  const cpu = process.cpuUsage();
  for (let i = 0; i < SENDS; i += BATCH) {
    begin.run();
    for (let j = i; j < i + BATCH; j++) send(j);
    commit.run();
  }
  const used = process.cpuUsage(cpu);
  db.close();
  return (used.user + used.system) / SENDS;
}

const chosen = process.argv.slice(3);
const names = chosen.length > 0 ? chosen : Object.keys(VARIANTS);
const source = await template();
const dir = tempDir('reservation-sql-');
const results = new Map<string, number[]>();
for (const order of [names, [...names].reverse()]) {
  for (const name of order) {
    const variant = VARIANTS[name];
    if (!variant) throw new Error(`No variant named "${name}": ${Object.keys(VARIANTS).join(', ')}`);
    results.set(name, [...(results.get(name) ?? []), run(name, variant, source, dir)]);
  }
}
const mean = (name: string): number => results.get(name)!.reduce((a, b) => a + b, 0) / 2;
const off = results.has('off') ? mean('off') : 0;
for (const name of names) console.log(`${name.padEnd(44)} ${mean(name).toFixed(1).padStart(6)} µs CPU per send${off ? `, ${(mean(name) - off).toFixed(1).padStart(5)} µs over off` : ''}`);
