/**
 * Start-up time and idle memory (run on demand: `npm run bench:startup`). Builds the server, migrates a
 * SQLite file once, then BENCH_RUNS times (default 5) starts, in turn, a bare MCP SDK server on node:http
 * (startup-baseline.mjs, the floor) and the built server (`serve`, demo providers, the migrated file) and,
 * when COMMS_TEST_POSTGRES_URL is set, the server on a migrated PostgreSQL schema. Per process:
 *   - ready: process spawn → first 200 from GET /health/ready (polled every 5 ms);
 *   - CPU to ready: the process's user + system CPU time at that moment (/proc/PID/stat), which the
 *     machine's load does not stretch as it stretches the wall-clock time (waiting for a core);
 *   - idle RSS: VmRSS after 5 s idle (BENCH_IDLE_MS), as left by the process's own collections, then after one
 *     full GC (SIGUSR2, see gc-on-signal.mjs).
 * Prints the median and the range of each. Targets: ready < 1 s, idle RSS < 100 MB. Each process starts once,
 * unmeasured, before the runs (BENCH_COLD=1 skips that: the first run of a new build is then its first start).
 * BENCH_COMPARE=/path/to/other/dist/hosts/cli/main.js adds that build (e.g. main's) on the same SQLite file and
 * PostgreSQL schema.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { BENCH_ADMIN_TOKEN } from './bench-server.js';
import { POSTGRES_URL, postgresSchemas } from '../support/postgres-schema.js';

const REPO = join(import.meta.dirname, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 5_000);
const MAIN = join(REPO, 'dist', 'hosts', 'cli', 'main.js');
const PRELOAD = ['--expose-gc', '--import', join(import.meta.dirname, 'gc-on-signal.mjs')];

interface Sample { readyMs: number; cpuMs: number; idleRssMb: number; rssMb: number }
interface Subject { name: string; args: string[] }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
}

/** User + system CPU time of the process so far (all its threads), from /proc/PID/stat. */
function cpuMs(pid: number): number {
  // Fields after the command name (in parentheses, may hold spaces): utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Clock ticks per second of /proc times (USER_HZ): 100 on Linux. */
const CLOCK_TICKS = 100;

function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
}

async function measure(subject: Subject, idleMs = IDLE_MS): Promise<Sample> {
  const started = performance.now();
  const child = spawn(process.execPath, [...PRELOAD, ...subject.args], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await listeningUrl(child);
    while (!(await fetch(`${url}/health/ready`).then((r) => r.ok, () => false))) await sleep(5);
    const readyMs = performance.now() - started;
    const cpu = cpuMs(child.pid!);
    await sleep(idleMs);
    const idleRss = rssMb(child.pid!);
    child.kill('SIGUSR2');
    await sleep(500);
    return { readyMs, cpuMs: cpu, idleRssMb: idleRss, rssMb: rssMb(child.pid!) };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

function configFile(dir: string, name: string, settings: Record<string, unknown>): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify({
    server: { host: '127.0.0.1', port: 0 },
    dataDir: dir,
    log: { level: 'warn' },
    auth: { adminToken: BENCH_ADMIN_TOKEN },
    ...settings,
  }));
  return file;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[], digits = 0) => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;

async function main(): Promise<void> {
  if (!process.env.BENCH_SKIP_BUILD) execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'agentos-bench-startup-'));
  const subjects: Subject[] = [
    { name: 'bare MCP SDK server (node:http)', args: [join(import.meta.dirname, 'startup-baseline.mjs')] },
    { name: 'agentos-comms serve, SQLite', args: [MAIN, 'serve', '--config', configFile(dir, 'sqlite', { db: { use: 'sqlite', options: { path: join(dir, 'comms.sqlite') } } })] },
  ];
  if (process.env.BENCH_COMPARE) {
    subjects.push({ name: `other build (${process.env.BENCH_COMPARE}), SQLite`, args: [process.env.BENCH_COMPARE, ...subjects[1]!.args.slice(1)] });
  }
  const schemas = POSTGRES_URL ? await postgresSchemas(POSTGRES_URL) : null;
  if (schemas) {
    const db = { use: 'postgresql', options: { url: POSTGRES_URL, schema: schemas.fresh() } };
    const pg: Subject = { name: 'agentos-comms serve, PostgreSQL', args: [MAIN, 'serve', '--config', configFile(dir, 'postgresql', { db })] };
    subjects.push(pg);
    if (process.env.BENCH_COMPARE) subjects.push({ name: `other build (${process.env.BENCH_COMPARE}), PostgreSQL`, args: [process.env.BENCH_COMPARE, ...pg.args.slice(1)] });
  }
  try {
    // Start-up is measured on a migrated database: migrate each once first.
    for (const subject of subjects.slice(1)) execFileSync(process.execPath, [MAIN, 'migrate', ...subject.args.slice(2)], { cwd: REPO, stdio: 'ignore' });
    // One start of each first, not counted: measured starts are the ones after (the OS file cache warm, and
    // the code cache a built server writes at its first ready in place; see scripts/build/server-loader.mjs).
    if (!process.env.BENCH_COLD) for (const subject of subjects) await measure(subject, 0);
    const samples = new Map<string, Sample[]>(subjects.map((s) => [s.name, []]));
    // Interleaved, so that the machine's load falls on every subject alike.
    for (let run = 1; run <= RUNS; run++) {
      for (const subject of subjects) {
        const sample = await measure(subject);
        samples.get(subject.name)!.push(sample);
        console.error(`run ${run}: ${subject.name}: ready ${sample.readyMs.toFixed(0)} ms, CPU to ready ${sample.cpuMs.toFixed(0)} ms, idle RSS ${sample.idleRssMb.toFixed(1)} MB, after GC ${sample.rssMb.toFixed(1)} MB`);
      }
    }
    const floor = median(samples.get(subjects[0]!.name)!.map((s) => s.readyMs));
    console.log(`\nStart-up on a migrated database, ${RUNS} runs each, interleaved (demo providers, log level warn)\n`);
    console.log('| process | ready, median (range) | × floor | CPU to ready, median (range) | idle RSS, median (range) | idle RSS after GC, median (range) |');
    console.log('|---|---|---|---|---|---|');
    for (const [name, list] of samples) {
      const ready = list.map((s) => s.readyMs);
      const idleRss = list.map((s) => s.idleRssMb);
      const rss = list.map((s) => s.rssMb);
      const cpu = list.map((s) => s.cpuMs);
      console.log(`| ${name} | ${median(ready).toFixed(0)} ms (${range(ready)}) | ${(median(ready) / floor).toFixed(1)}× | ${median(cpu).toFixed(0)} ms (${range(cpu)}) | ${median(idleRss).toFixed(0)} MB (${range(idleRss)}) | ${median(rss).toFixed(0)} MB (${range(rss)}) |`);
    }
    console.log(`\nload average: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  } finally {
    await schemas?.close();
  }
}

await main();
