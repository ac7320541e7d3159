import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

export interface BenchServer {
  url: string;
  dbFile: string;
  child: ChildProcess;
  /** CPU seconds (user + system) the server process has used so far (Linux /proc; 0 elsewhere). */
  cpuSeconds(): number;
  /** SIGTERM; resolves once the process is gone (at once if it already is). */
  stop(): Promise<void>;
  /** SIGKILL, as a crash or an OOM kill: no shutdown work at all. */
  kill(): Promise<void>;
}

/** Linux's clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

export function processCpuSeconds(pid: number | undefined): number {
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * Starts the built server (`dist/`, as in production) in its own process on SQLite + the demo
 * provider, so the load generator in this process does not share its event loop.
 */
export async function startBenchServer(dir: string, repoRoot: string, extra: Record<string, unknown> = {}): Promise<BenchServer> {
  const dbFile = join(dir, 'bench.sqlite');
  return startBenchProcess(writeBenchConfig(dir, extra), repoRoot, dbFile);
}

/** The bench server's config file in `dir`; `extra` sections replace the defaults (`extra.db`: PostgreSQL). */
export function writeBenchConfig(dir: string, extra: Record<string, unknown> = {}): string {
  const configFile = join(dir, 'bench.yaml');
  writeFileSync(configFile, stringify({
    server: { host: '127.0.0.1', port: 0 },
    dataDir: dir,
    log: { level: 'warn' },
    auth: { adminToken: BENCH_ADMIN_TOKEN },
    db: { use: 'sqlite', options: { path: join(dir, 'bench.sqlite') } },
    telephony: { use: 'mock' },
    // Quiet hours run in full (time zones of every number, the window in each) but allow all day, so
    // the bench measures the rule whatever the hour.
    compliance: { quietHours: { window: { start: '00:00', end: '24:00' } } },
    ...extra,
  }));
  return configFile;
}

/**
 * BENCH_PIN=<load core>:<server core> (e.g. `0:1`): every server runs on one core and this process, the load, on the
 * other, so that a server never shares its core with the load and its throughput follows its CPU per request. Tried
 * against the run-to-run spread on a 2-core machine, it did not remove it (README, "Late night"): the spread is in the
 * CPU per request itself. The database server (PostgreSQL) is not pinned.
 */
const PIN = (() => {
  const match = /^(\d+):(\d+)$/.exec(process.env.BENCH_PIN ?? '');
  if (!match) return null;
  execFileSync('taskset', ['-a', '-cp', match[1]!, String(process.pid)], { stdio: 'ignore' });
  return { server: match[2]! };
})();

/** A server process, on its own core when BENCH_PIN says so (taskset runs node in its place: the pid is node's). */
function spawnServer(args: string[], options: SpawnOptions): ChildProcess {
  return PIN ? spawn('taskset', ['-c', PIN.server, process.execPath, ...args], options) : spawn(process.execPath, args, options);
}

/** One built server process from a config file (several may share one: instances of one deployment). */
export function startBenchProcess(configFile: string, repoRoot: string, dbFile = ''): Promise<BenchServer> {
  // BENCH_NODE_OPTIONS (e.g. "--cpu-prof") profiles the server process.
  const nodeOptions = process.env.BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [];
  const child = spawnServer([...nodeOptions, join(repoRoot, 'dist', 'hosts', 'cli', 'main.js'), 'serve', '--config', configFile], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return benchProcess(child, dbFile);
}

/** The floors of run.ts (baseline-server.ts): the MCP SDK with a no-op tool (its transport or ours), or a bare Koa app. */
export function startBaselineServer(kind: 'sdk' | 'lean' | 'koa'): Promise<BenchServer> {
  const child = spawnServer(['--import', 'tsx', join(import.meta.dirname, 'baseline-server.ts'), kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return benchProcess(child, '');
}

/** Waits for the process's "listening on <url>" line. */
async function benchProcess(child: ChildProcess, dbFile: string): Promise<BenchServer> {
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  const exited = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    url,
    dbFile,
    child,
    cpuSeconds: () => processCpuSeconds(child.pid),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** `more`: further fields of the agent (a callbackUrl). */
export async function createBenchAgent(url: string, phone: string, more: Record<string, unknown> = {}): Promise<{ agentId: string; token: string }> {
  const res = await fetch(`${url}/api/v1/agents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', phone, ...more }),
  });
  if (res.status !== 201) throw new Error(`agent create failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { agentId: string; token: string };
}

export const MCP_PROTOCOL = '2025-06-18';

/** Opens an MCP session (initialize + initialized) and returns its id. */
export async function openMcpSession(url: string, token: string): Promise<string> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const res = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: MCP_PROTOCOL, capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }),
  });
  const sessionId = res.headers.get('mcp-session-id');
  await res.text();
  if (!sessionId) throw new Error(`initialize failed: ${res.status}`);
  const initialized = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': MCP_PROTOCOL },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await initialized.text();
  return sessionId;
}
