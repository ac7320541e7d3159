/**
 * Benchmarks (run on demand: `npm run bench [-- --db sqlite|postgresql] [--suite targets|limits|webhooks|instances]`). Builds the
 * server, starts it with the demo provider in its own process, then measures with autocannon from this process:
 *   1. targets (the scale issue's table): comms_send_message over MCP Streamable HTTP at 32 connections, and
 *      signed inbound SMS webhooks, on each database, each beside its floor measured in the same run, before
 *      and after the database runs: the MCP SDK's own transport with a no-op tool, and a bare Koa app
 *      (baseline-server.ts). On a shared machine the ratio to the floor is the figure that travels;
 *   2. limits: comms_send_message with everything off; per-IP request limits alone on, without and with metrics
 *      (metrics token set, /metrics scraped every second: the issue's "metrics, audit and rate limits on"); usage
 *      limits and per-IP limits on (limits far from reached), without and with metrics. The audit trail is always
 *      on. Runs alternate off, ip, ip-observed, on, observed, then the reverse … (BENCH_ROUNDS), so that drift on a
 *      shared machine falls on all alike; BENCH_MODES picks some of them.
 *   3. instances (`--db postgresql --suite instances`, instances.ts): one process directly, one behind HAProxy, three
 *      behind HAProxy, then three with one SIGKILLed under load and a usage cap reached across them.
 * `--db` picks the database (default: SQLite, and PostgreSQL too when COMMS_TEST_POSTGRES_URL is set; BENCH_DB
 * is read when the flag is absent); `--suite` runs one suite (default targets and limits), or `webhooks`: the webhook
 * rows of targets alone, beside the bare Koa floor.
 * Afterwards it counts the rows in the database: every acknowledged request must be stored exactly once. Webhooks
 * are tracked one by one: a webhook the client gave up on (timeout) is not acknowledged, and the provider would send
 * it again; the bench does so after the run, then checks that every webhook is stored exactly once.
 * A fixed number of requests per run (not a duration), so none is in flight when the rows are counted.
 * Options (env): BENCH_SENDS (default 20000), BENCH_WEBHOOKS (default 50000), BENCH_CONNECTIONS (default 64;
 * the target sends use 32), BENCH_ROUNDS (default 1), BENCH_PIN (`0:1`: the load on core 0, each server on core 1;
 * bench-server.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { createBenchAgent, startBaselineServer, startBenchServer, type BenchServer } from './bench-server.js';
import { CONNECTIONS, GENEROUS, USAGE_FAR_FROM_REACH, METRICS_TOKEN, SENDS, TARGET_CONNECTIONS, WEBHOOKS, LIMITS_OFF, NO_SHEDDING, benchInbound, benchSends, redeliver, type Result } from './load.js';
import { instancesSuite } from './instances.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';

const REPO = join(import.meta.dirname, '..', '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);

/** Per-IP request limits on (memory store), far from reached: every request counts against global and its group. */
const HTTP_LIMITS_ON = { rateLimits: Object.fromEntries(['global', 'mcp', 'api', 'webhooks', 'admin'].map((g) => [g, { requests: GENEROUS }])), ...NO_SHEDDING };
const LIMITS_ON = {
  security: HTTP_LIMITS_ON,
  usage: USAGE_FAR_FROM_REACH,
};
const IP_LIMITS_ONLY = { usage: { enabled: false }, security: HTTP_LIMITS_ON };

type Dialect = 'sqlite' | 'postgresql';
/**
 * off: no limit of any kind; ip: per-IP request limits alone; ip-observed: ip, with metrics (the issue's "metrics,
 * audit and rate limits on": usage limits stay as in off); on: usage limits and per-IP limits; observed: on, with
 * metrics. The audit trail is on in every one.
 */
const LIMIT_MODES = ['off', 'ip', 'ip-observed', 'on', 'observed'] as const;
type LimitMode = typeof LIMIT_MODES[number];
const METRICS_ON = { metrics: { token: METRICS_TOKEN } };
const MODES: Record<LimitMode, Record<string, unknown>> = { off: LIMITS_OFF, ip: IP_LIMITS_ONLY, 'ip-observed': { ...IP_LIMITS_ONLY, ...METRICS_ON }, on: LIMITS_ON, observed: { ...LIMITS_ON, ...METRICS_ON } };
const scraped = (mode: LimitMode): boolean => 'metrics' in MODES[mode];
/** BENCH_MODES (comma-separated) runs some of the configurations, e.g. `on,observed` to profile the metrics alone. */
function chosenModes(): LimitMode[] {
  const wanted = process.env.BENCH_MODES?.split(',').map((m) => m.trim()).filter(Boolean) ?? [...LIMIT_MODES];
  const unknown = wanted.filter((m) => !(LIMIT_MODES as readonly string[]).includes(m));
  if (unknown.length > 0) throw new Error(`BENCH_MODES: unknown ${unknown.join(', ')}; expected some of ${LIMIT_MODES.join(', ')}`);
  return LIMIT_MODES.filter((m) => wanted.includes(m));
}

interface SendRun extends Result { dialect: Dialect; limits: LimitMode; stored: number; distinct: number; loadAverage: string }

/** A fresh bench server with one agent; `measure` runs against it, then the server stops. */
async function withBenchServer<T>(extra: Record<string, unknown>, measure: (url: string, agent: { agentId: string; token: string }, cpuSeconds: () => number, dbFile: string) => Promise<T>): Promise<{ value: T; agentId: string; dbFile: string }> {
  const server = await startBenchServer(mkdtempSync(join(tmpdir(), 'agentos-bench-')), REPO, extra);
  try {
    const agent = await createBenchAgent(server.url, '+15550100099');
    return { value: await measure(server.url, agent, () => server.cpuSeconds(), server.dbFile), agentId: agent.agentId, dbFile: server.dbFile };
  } finally {
    await server.stop();
  }
}

type Counted = { rows: number | string; distinctRows: number | string } | undefined;

function countSqlite(dbFile: string, sql: string, ...params: string[]): Counted {
  const sqlite = new Database(dbFile, { readonly: true });
  try {
    return sqlite.prepare(sql).get(...params) as Counted;
  } finally {
    sqlite.close();
  }
}

type Schemas = Awaited<ReturnType<typeof postgresSchemas>> | null;

/** The server's database section: a fresh PostgreSQL schema, or the default SQLite file. */
function databaseOf(dialect: Dialect, schemas: Schemas): { schema: string; config: Record<string, unknown> } {
  if (dialect === 'sqlite') return { schema: '', config: {} };
  const schema = schemas!.fresh();
  return { schema, config: { db: { use: 'postgresql', options: { url: POSTGRES_URL, schema, poolMax: 16 } } } };
}

/** Rows of the agent in one direction, and how many distinct (`distinct`: an SQL expression over the row). */
async function countStored(dialect: Dialect, schemas: Schemas, where: { schema: string; dbFile: string; agentId: string; direction: string; distinct: string }): Promise<{ stored: number; distinct: number }> {
  const count = `select count(*) as "rows", count(distinct ${where.distinct}) as "distinctRows"`;
  // The agent id is the server's own (letters, digits, underscore): safe to inline.
  const [counted] = dialect === 'postgresql'
    ? await schemas!.query<{ rows: string; distinctRows: string }>(`${count} from "${where.schema}".messages where agent_id = '${where.agentId}' and direction = '${where.direction}'`)
    : [countSqlite(where.dbFile, `${count} from messages where agent_id = ? and direction = ?`, where.agentId, where.direction)];
  return { stored: Number(counted?.rows), distinct: Number(counted?.distinctRows) };
}

/** One send benchmark on a fresh server and database; counts the stored rows after it. */
async function sendRun(dialect: Dialect, limits: LimitMode, schemas: Schemas, connections = CONNECTIONS): Promise<SendRun> {
  const { schema, config } = databaseOf(dialect, schemas);
  const { value: result, agentId, dbFile } = await withBenchServer({ ...config, ...MODES[limits] }, (url, agent, cpu) => benchSends({ url, token: agent.token, scrape: scraped(limits), cpuSeconds: cpu, connections }));
  const counted = await countStored(dialect, schemas, { schema, dbFile, agentId, direction: 'outbound', distinct: 'id' });
  // The machine's one-minute load average at the end of the run: the other load the figures shared the cores with.
  return { ...result, dialect, limits, ...counted, loadAverage: loadavg()[0]!.toFixed(1) };
}

/**
 * What happened to the webhooks a provider would care about: every one answered 2xx must be stored (`lost` counts
 * those that are not: a bug), and every other one (timed out at the client, refused, unanswered) is what the
 * provider redelivers; dedupe on the MessageSid makes that safe, and after it each webhook is stored exactly once.
 */
interface Acknowledgement {
  acknowledged: number;
  unacknowledged: number;
  /** Unacknowledged, yet stored already (the client gave up while the server finished): redelivery dedupes them. */
  unacknowledgedStored: number;
  lost: number;
  redelivered: number;
  redeliveredAcknowledged: number;
  /** Rows and distinct MessageSids after the redelivery. */
  finalRows: number;
  finalDistinct: number;
}

interface InboundRun { result: Result; dialect: Dialect; stored: number; distinct: number; ack: Acknowledgement }

/** The MessageSids stored for the agent (`SMbench<i>`), by index, and the row count. */
async function storedWebhooks(dialect: Dialect, schemas: Schemas, where: { schema: string; dbFile: string; agentId: string }): Promise<{ indexes: Set<number>; rows: number }> {
  const sql = "select provider_message_id as sid from messages where agent_id = ? and direction = 'inbound'";
  let sids: Array<{ sid: string }>;
  if (dialect === 'postgresql') {
    // The agent id is the server's own (letters, digits, underscore): safe to inline.
    sids = await schemas!.query<{ sid: string }>(sql.replace('from messages', `from "${where.schema}".messages`).replace('?', `'${where.agentId}'`));
  } else {
    const sqlite = new Database(where.dbFile, { readonly: true });
    try {
      sids = sqlite.prepare(sql).all(where.agentId) as Array<{ sid: string }>;
    } finally {
      sqlite.close();
    }
  }
  return { indexes: new Set(sids.map((r) => Number(r.sid.slice('SMbench'.length)))), rows: sids.length };
}

async function inboundRun(dialect: Dialect, schemas: Schemas): Promise<InboundRun> {
  const { schema, config } = databaseOf(dialect, schemas);
  const { value, agentId, dbFile } = await withBenchServer({ ...config, security: HTTP_LIMITS_ON }, async (url, agent, cpu, file) => {
    const result = await benchInbound(url, agent.agentId, cpu);
    const where = { schema, dbFile: file, agentId: agent.agentId };
    const stored = await storedWebhooks(dialect, schemas, where);
    const unacknowledged = Array.from({ length: WEBHOOKS }, (_, i) => i).filter((i) => !result.acknowledged.has(i));
    const redeliveredAcknowledged = await redeliver(result, unacknowledged);
    const final = await storedWebhooks(dialect, schemas, where);
    const ack: Acknowledgement = {
      acknowledged: result.acknowledged.size,
      unacknowledged: unacknowledged.length,
      unacknowledgedStored: unacknowledged.filter((i) => stored.indexes.has(i)).length,
      lost: [...result.acknowledged].filter((i) => !stored.indexes.has(i)).length,
      redelivered: unacknowledged.length,
      redeliveredAcknowledged,
      finalRows: final.rows,
      finalDistinct: final.indexes.size,
    };
    return { result, ack };
  });
  const counted = await countStored(dialect, schemas, { schema, dbFile, agentId, direction: 'inbound', distinct: 'coalesce(provider_message_id, id)' });
  return { result: value.result, ack: value.ack, dialect, ...counted };
}

/** A floor of baseline-server.ts, measured as the server is. */
async function withBaseline<T>(kind: 'sdk' | 'lean' | 'koa', measure: (server: BenchServer) => Promise<T>): Promise<T> {
  const server = await startBaselineServer(kind);
  try {
    return await measure(server);
  } finally {
    await server.stop();
  }
}

const floorSends = (kind: 'sdk' | 'lean' = 'sdk') => withBaseline(kind, (s) => benchSends({ url: s.url, token: 'none', cpuSeconds: () => s.cpuSeconds(), connections: TARGET_CONNECTIONS }));
const floorWebhooks = () => withBaseline('koa', (s) => benchInbound(s.url, 'agt_floor', () => s.cpuSeconds()));

const mean = (values: number[]): number => Math.round(values.reduce((s, v) => s + v, 0) / values.length);

interface TargetRun { measure: string; dialect: Dialect; result: Result; stored: number; distinct: number; floor: 'sdk' | 'koa'; target: number; ack?: Acknowledgement }

/** The issue's targets, per database: sends at c=32 against ≥ 4,000 / 2,000 per second, webhooks against ≥ 10,000 / 4,000. */
const TARGETS: Record<Dialect, { sends: number; webhooks: number }> = { sqlite: { sends: 4_000, webhooks: 10_000 }, postgresql: { sends: 2_000, webhooks: 4_000 } };

/** The floors, then each database's sends and webhooks, then the floors again. */
async function targetsSuite(dialects: Dialect[], schemas: Schemas, withSends = true): Promise<boolean> {
  const floors: { sdk: Result[]; lean: Result[]; koa: Result[] } = { sdk: [], lean: [], koa: [] };
  const measureFloors = async () => {
    if (withSends) floors.sdk.push(await floorSends());
    // Not the issue's reference (that is the SDK's own transport): what the server's transport costs at best.
    if (withSends) floors.lean.push(await floorSends('lean'));
    floors.koa.push(await floorWebhooks());
  };
  const runs: TargetRun[] = [];
  await measureFloors();
  for (const dialect of dialects) {
    const sends = withSends ? await sendRun(dialect, 'off', schemas, TARGET_CONNECTIONS) : null;
    if (sends) runs.push({ measure: `comms_send_message, c=${TARGET_CONNECTIONS}`, dialect, result: sends, stored: sends.stored, distinct: sends.distinct, floor: 'sdk', target: TARGETS[dialect].sends });
    const inbound = await inboundRun(dialect, schemas);
    runs.push({ measure: `signed inbound SMS webhooks, c=${CONNECTIONS}`, ...inbound, floor: 'koa', target: TARGETS[dialect].webhooks });
  }
  await measureFloors();

  const floorRate = (kind: 'sdk' | 'koa') => mean(floors[kind].map((r) => r.requestsPerSecond));
  console.log(`
targets: ${SENDS} sends, ${WEBHOOKS} webhooks per run, demo provider, limits off; floors measured before and after the databases
`);
  console.log('| measure | database | req/s | floor req/s (before / after) | × floor | target | p50 / p99 ms | server CPU ms/req | ok / errors / non-2xx | stored |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of runs) {
    const floorName = r.floor === 'sdk' ? 'MCP SDK no-op' : 'bare Koa';
    const ratio = (r.result.requestsPerSecond / floorRate(r.floor)).toFixed(2);
    console.log(
      `| ${r.measure} | ${r.dialect} | ${r.result.requestsPerSecond} | ${floorName} ${floors[r.floor].map((f) => f.requestsPerSecond).join(' / ')} | ` +
        `**${ratio}×** | ≥ ${r.target.toLocaleString('en')}/s | ${r.result.p50} / ${r.result.p99} | ${r.result.cpuMsPerRequest ?? '–'} | ` +
        `${r.result.ok} / ${r.result.errors} / ${r.result.non2xx} | ${r.stored} |`,
    );
  }
  for (const kind of ['sdk', 'lean', 'koa'] as const) {
    for (const f of floors[kind]) console.log(`floor ${kind === 'lean' ? 'lean transport, no-op tool' : kind}: ${f.requestsPerSecond} req/s, p50 ${f.p50} ms, p99 ${f.p99} ms, errors ${f.errors}, non-2xx ${f.non2xx}${f.cpuMsPerRequest ? `, CPU ${f.cpuMsPerRequest} ms/req` : ''}`);
  }
  for (const r of runs) {
    if (!r.ack) continue;
    const a = r.ack;
    const koaCpu = mean(floors.koa.map((f) => (f.cpuMsPerRequest ?? 0) * 1000)) / 1000;
    console.log(
      `${r.dialect} webhooks: server CPU ${r.result.cpuMsPerRequest} ms per webhook (${((r.result.cpuMsPerRequest ?? 0) / koaCpu).toFixed(1)}× the bare Koa floor's ${koaCpu} ms); ` +
        `${WEBHOOKS} sent, ${a.acknowledged} acknowledged (2xx), ${a.unacknowledged} not (${r.result.timeouts} client timeouts, ${r.result.non2xx} non-2xx, ` +
        `${r.result.errors - r.result.timeouts} other errors; ${a.unacknowledgedStored} of them stored anyway); acknowledged but not stored: ${a.lost}; ` +
        `the provider's redelivery of the ${a.redelivered} unacknowledged: ${a.redeliveredAcknowledged} acknowledged, then ${a.finalRows} rows for ${a.finalDistinct} distinct MessageSids`,
    );
  }
  // Sends: every acknowledged one stored once. Webhooks: none acknowledged and lost, and after the provider's
  // redelivery of the unacknowledged ones, each stored exactly once (the table's `stored` is counted after that).
  return runs.every((r) => (r.ack
    ? r.ack.lost === 0 && r.ack.finalRows === WEBHOOKS && r.ack.finalDistinct === WEBHOOKS && r.stored === WEBHOOKS
    : r.stored === r.result.ok && r.stored === r.distinct));
}

async function limitsSuite(dialects: Dialect[], schemas: Schemas): Promise<boolean> {
  const runs: SendRun[] = [];
  for (const dialect of dialects) {
    for (let round = 0; round < ROUNDS; round++) {
      const order = chosenModes();
      for (const limits of round % 2 === 0 ? order : order.reverse()) runs.push(await sendRun(dialect, limits, schemas));
    }
  }
  console.log(`
limits: ${SENDS} sends per run, ${CONNECTIONS} concurrent connections, demo provider\n`);
  console.log('| benchmark | database | limits (off / ip: per-IP only / ip-observed: ip + metrics / on: usage + per-IP / observed: on + metrics) | req/s | server CPU ms/req | p50 ms | p99 ms | ok | errors | non-2xx | stored | load average |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of runs) {
    console.log(`| ${r.name} | ${r.dialect} | ${r.limits} | ${r.requestsPerSecond} | ${r.cpuMsPerRequest} | ${r.p50} | ${r.p99} | ${r.ok} | ${r.errors} | ${r.non2xx} | ${r.stored} | ${r.loadAverage} |`);
  }
  console.log('');
  for (const dialect of dialects) {
    const ofMode = (mode: LimitMode) => runs.filter((r) => r.dialect === dialect && r.limits === mode);
    const rate = (mode: LimitMode) => mean(ofMode(mode).map((r) => r.requestsPerSecond));
    const cpu = (mode: LimitMode) => ofMode(mode).reduce((sum, r) => sum + (r.cpuMsPerRequest ?? 0), 0) / ROUNDS;
    const percent = (a: number, b: number): string => (((a - b) / b) * 100).toFixed(1);
    const against = (mode: LimitMode, base: LimitMode, what: string) => ofMode(mode).length > 0 && ofMode(base).length > 0 && console.log(
      `${dialect}: ${what} ${rate(mode)} sends/s against ${rate(base)} sends/s: ${percent(rate(mode), rate(base))} %; ` +
      `server CPU per send ${cpu(mode).toFixed(3)} ms against ${cpu(base).toFixed(3)} ms: ${percent(cpu(mode), cpu(base))} %`,
    );
    against('ip', 'off', 'per-IP limits alone, against off:');
    against('ip-observed', 'off', "the issue's configuration (per-IP limits, metrics scraped each second, audit), against off:");
    against('ip-observed', 'ip', 'metrics on (scraped each second), against per-IP limits alone:');
    against('on', 'off', 'usage and per-IP limits, against off:');
    against('observed', 'on', 'metrics on (scraped each second), against limits on without metrics:');
    against('observed', 'off', 'everything on (limits, metrics, audit), against off:');
  }
  return runs.every((r) => r.stored === r.ok && r.stored === r.distinct);
}

/** `--db` (or BENCH_DB): one database; by default SQLite, and PostgreSQL when its URL is set. */
function chosenDialects(db: string | undefined): Dialect[] {
  if (db === undefined) return POSTGRES_URL ? ['sqlite', 'postgresql'] : ['sqlite'];
  if (db !== 'sqlite' && db !== 'postgresql') throw new Error(`--db ${db}: expected sqlite or postgresql`);
  if (db === 'postgresql' && !POSTGRES_URL) throw new Error('--db postgresql needs COMMS_TEST_POSTGRES_URL, e.g. postgresql://postgres@127.0.0.1:5432/test');
  return [db];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { db: { type: 'string' }, suite: { type: 'string' } } });
  const dialects = chosenDialects(values.db ?? process.env.BENCH_DB);
  const suites = values.suite === undefined ? ['targets', 'limits'] : [values.suite];
  if (!suites.every((suite) => ['targets', 'limits', 'webhooks', 'instances'].includes(suite))) throw new Error(`--suite ${values.suite}: expected targets, limits, webhooks or instances`);
  if (suites.includes('instances') && !dialects.includes('postgresql')) throw new Error('--suite instances runs on PostgreSQL: --db postgresql, with COMMS_TEST_POSTGRES_URL set');
  if (!process.env.BENCH_SKIP_BUILD) execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'inherit' });
  const schemas = dialects.includes('postgresql') ? await postgresSchemas(POSTGRES_URL!) : null;
  let lossless = true;
  try {
    if (suites.includes('targets')) lossless = (await targetsSuite(dialects, schemas)) && lossless;
    // The webhook rows of targets alone, beside the bare Koa floor (the inbound path's own bench).
    if (suites.includes('webhooks')) lossless = (await targetsSuite(dialects, schemas, false)) && lossless;
    if (suites.includes('limits')) lossless = (await limitsSuite(dialects, schemas)) && lossless;
    if (suites.includes('instances')) lossless = (await instancesSuite(REPO, schemas!)) && lossless;
  } finally {
    await schemas?.close();
  }
  console.log(lossless ? 'no message lost or duplicated' : 'MISMATCH: messages lost or duplicated');
  if (!lossless) process.exitCode = 1;
}

await main();
