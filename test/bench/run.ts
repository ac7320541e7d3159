/**
 * Benchmarks (run on demand: `npm run bench`). Builds the server, starts it on SQLite + the demo
 * provider in its own process, then measures with autocannon from this process:
 *   1. comms_send_message over MCP Streamable HTTP: sends/s at a fixed concurrency, p50/p99 latency;
 *   2. signed inbound SMS webhooks per second.
 * Afterwards it counts the rows in the database: every acknowledged request must be stored exactly once.
 * A fixed number of requests per run (not a duration), so none is in flight when the rows are counted.
 * Options (env): BENCH_SENDS (default 20000), BENCH_WEBHOOKS (default 50000), BENCH_CONNECTIONS (default 64).
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { createBenchAgent, startBenchServer } from './bench-server.js';

const REPO = join(import.meta.dirname, '..', '..');
const SENDS = Number(process.env.BENCH_SENDS ?? 20_000);
const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 50_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const PROTOCOL = '2025-06-18';

interface Result { name: string; requestsPerSecond: number; p50: number; p99: number; ok: number; errors: number; non2xx: number }

function run(options: autocannon.Options, amount: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ ...options, amount, connections: CONNECTIONS }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

async function openMcpSession(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }),
  });
  const sessionId = res.headers.get('mcp-session-id');
  if (!sessionId) throw new Error(`initialize failed: ${res.status}`);
  await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL },
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  return sessionId;
}

async function benchSends(url: string, token: string): Promise<Result> {
  const sessionId = await openMcpSession(url, token);
  // Bodies are built before the clock starts, so the load generator spends its CPU on sending.
  const bodies = Array.from({ length: SENDS }, (_, i) => JSON.stringify({
    jsonrpc: '2.0', id: i + 1, method: 'tools/call',
    params: { name: 'comms_send_message', arguments: { channel: 'sms', to: `+1555010${String(i % 10000).padStart(4, '0')}`, body: `bench ${i}` } },
  }));
  let next = 0;
  let toolErrors = 0;
  const result = await run({
    url: `${url}/mcp`,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL },
    requests: [{
      setupRequest: (req) => ({ ...req, body: bodies[next++ % SENDS] }),
      onResponse: (status, body) => {
        if (status === 200 && body.includes('"isError":true')) toolErrors++;
      },
    }],
  }, SENDS);
  return summary('comms_send_message over MCP Streamable HTTP', result, toolErrors);
}

async function benchInbound(url: string, agentId: string): Promise<Result> {
  const webhookUrl = `${url}/webhooks/${agentId}/sms`;
  const signed = Array.from({ length: WEBHOOKS }, (_, i) => {
    const body = new URLSearchParams({ MessageSid: `SMbench${i}`, From: '+15550100190', To: '+15550100099', Body: `inbound ${i}` }).toString();
    return { body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-mock-signature': createHmac('sha256', 'demo-secret').update(webhookUrl + body).digest('hex') } };
  });
  let n = 0;
  const result = await run({
    url: webhookUrl,
    method: 'POST',
    requests: [{ setupRequest: (req) => ({ ...req, ...signed[n++ % WEBHOOKS] }) }],
  }, WEBHOOKS);
  return summary('signed inbound SMS webhooks', result, 0);
}

function summary(name: string, r: autocannon.Result, toolErrors: number): Result {
  return {
    name,
    requestsPerSecond: Math.round(r['2xx'] / (r.duration || 1)),
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'] - toolErrors,
    errors: r.errors + toolErrors,
    non2xx: r.non2xx,
  };
}

async function main(): Promise<void> {
  if (!process.env.BENCH_SKIP_BUILD) execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'agentos-bench-'));
  const server = await startBenchServer(dir, REPO);
  let results: Result[];
  let agentId: string;
  try {
    const agent = await createBenchAgent(server.url, '+15550100099');
    agentId = agent.agentId;
    results = [await benchSends(server.url, agent.token), await benchInbound(server.url, agent.agentId)];
  } finally {
    await server.stop();
  }
  const db = new Database(server.dbFile, { readonly: true });
  const count = (direction: string): { rows: number; distinctRows: number } =>
    db.prepare('select count(*) as "rows", count(distinct coalesce(provider_message_id, id)) as "distinctRows" from messages where agent_id = ? and direction = ?').get(agentId, direction) as { rows: number; distinctRows: number };
  const outbound = count('outbound');
  const inbound = count('inbound');
  db.close();

  console.log(`\n${SENDS} sends and ${WEBHOOKS} webhooks, ${CONNECTIONS} concurrent connections, SQLite + demo provider\n`);
  console.log('| benchmark | req/s | p50 ms | p99 ms | ok | errors | non-2xx |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) console.log(`| ${r.name} | ${r.requestsPerSecond} | ${r.p50} | ${r.p99} | ${r.ok} | ${r.errors} | ${r.non2xx} |`);
  console.log(`\nstored outbound: ${outbound.rows} rows (${outbound.distinctRows} distinct) for ${results[0]!.ok} acknowledged sends`);
  console.log(`stored inbound:  ${inbound.rows} rows (${inbound.distinctRows} distinct) for ${results[1]!.ok} acknowledged webhooks`);
  const lossless = outbound.rows === results[0]!.ok && inbound.rows === results[1]!.ok && outbound.rows === outbound.distinctRows && inbound.rows === inbound.distinctRows;
  console.log(lossless ? 'no message lost or duplicated' : 'MISMATCH: messages lost or duplicated');
  if (!lossless) process.exitCode = 1;
}

await main();
