/**
 * What usage limits cost a send, without the HTTP and MCP layers around it: comms_send_message run through
 * the use-case runner in this process, 64 at a time, on a fresh server with usage off and with usage limits
 * on (every limit type set far from reach, as `npm run bench -- --suite limits` does), alternating off, on,
 * on, off … so that drift on a shared machine falls on both alike. Reports this process's CPU per send
 * (process.cpuUsage: every thread, the SQLite readers included).
 *   npx tsx test/bench/limits-cost.ts [sends per run, default 3000] [pairs of runs, default 2] [off | on: that one alone, to profile it]
 *   BENCH_DB=postgresql (with COMMS_TEST_POSTGRES_URL) measures PostgreSQL.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';
import { startTestServer } from '../support/test-server.js';
import { USAGE_FAR_FROM_REACH } from './load.js';

const SENDS = Number(process.argv[2] ?? 3000);
const PAIRS = Number(process.argv[3] ?? 2);
const ONLY = process.argv[4] as Mode | undefined;
const CONCURRENCY = 64;

type Mode = 'off' | 'on';

/**
 * CPU ticks of every postgres process on this machine by pid (/proc, Linux): PostgreSQL's own work per send
 * costs throughput too where it shares the cores. Read before the server closes its pool, whose backends exit.
 */
function postgresTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' ');
      ticks.set(Number(name), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The process exited meanwhile.
    }
  }
  return ticks;
}

/** Ms of postgres CPU since `before` (a process started since counts from zero). */
function postgresCpuMsSince(before: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, now] of postgresTicks()) ticks += now - (before.get(pid) ?? 0);
  return ticks * 10;
}

async function run(mode: Mode, db: { use: string; options: Record<string, unknown> } | undefined): Promise<{ cpuMs: number; perSecond: number; dbCpuMs: number }> {
  const server = await startTestServer({ extra: { usage: mode === 'on' ? USAGE_FAR_FROM_REACH : { enabled: false } }, ...(db ? { db } : {}) });
  try {
    const { agentId } = await server.createAgent({ name: 'bench', phone: '+15550100099' });
    const send = (i: number) => server.app.runner.run('comms_send_message', { kind: 'agent', agentId }, { channel: 'sms', to: `+1555010${String(i % 10_000).padStart(4, '0')}`, body: `bench ${i}` });
    // Warm-up: compiled validators, prepared statements, the JIT.
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => send(i)));
    let next = 0;
    const dbCpu = postgresTicks();
    const cpu = process.cpuUsage();
    const started = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < SENDS) await send(next++);
    }));
    const used = process.cpuUsage(cpu);
    const perSecond = SENDS / ((performance.now() - started) / 1000);
    return { cpuMs: (used.user + used.system) / 1000 / SENDS, perSecond, dbCpuMs: db ? postgresCpuMsSince(dbCpu) / SENDS : 0 };
  } finally {
    await server.close();
  }
}

const usePostgres = process.env.BENCH_DB === 'postgresql';
const schemas = usePostgres ? await postgresSchemas(POSTGRES_URL!) : null;
const results: Record<Mode, Array<{ cpuMs: number; perSecond: number; dbCpuMs: number }>> = { off: [], on: [] };
for (let pair = 0; pair < PAIRS; pair++) {
  for (const mode of (ONLY ? [ONLY] : pair % 2 === 0 ? ['off', 'on'] : ['on', 'off']) as Mode[]) {
    const db = schemas ? { use: 'postgresql', options: { url: POSTGRES_URL!, schema: schemas.fresh() } } : undefined;
    const result = await run(mode, db);
    results[mode].push(result);
    const dbCpu = usePostgres ? `, ${result.dbCpuMs.toFixed(3)} ms postgres CPU per send` : '';
    console.log(`${usePostgres ? 'postgresql' : 'sqlite'} ${mode}: ${result.perSecond.toFixed(0)} sends/s, ${result.cpuMs.toFixed(3)} ms CPU per send${dbCpu}`);
  }
}
await schemas?.close();
if (ONLY) process.exit(0);
const mean = (mode: Mode, key: 'cpuMs' | 'perSecond' | 'dbCpuMs') => results[mode].reduce((sum, r) => sum + r[key], 0) / results[mode].length;
const change = (key: 'cpuMs' | 'perSecond' | 'dbCpuMs') => `${(((mean('on', key) / mean('off', key)) - 1) * 100).toFixed(1)} %`;
console.log(`means: off ${mean('off', 'perSecond').toFixed(0)} sends/s ${mean('off', 'cpuMs').toFixed(3)} ms; on ${mean('on', 'perSecond').toFixed(0)} sends/s ${mean('on', 'cpuMs').toFixed(3)} ms`);
console.log(`on against off: sends/s ${change('perSecond')}; CPU per send ${change('cpuMs')}` +
  (usePostgres ? `; postgres CPU per send ${mean('off', 'dbCpuMs').toFixed(3)} → ${mean('on', 'dbCpuMs').toFixed(3)} ms (${change('dbCpuMs')})` : ''));
