/**
 * Memory per MCP call (run on demand: `npm run bench:mcp-memory`). Builds the server, starts it in its own
 * process (SQLite, demo provider, usage off), opens ONE MCP session and sends comms_send_message through it
 * in steps of BENCH_STEP calls (default 10,000) up to BENCH_CALLS (default 100,000), reading the server's
 * resident memory (VmRSS, Linux) after each step. SDK 1.32 in JSON-response mode kept an entry per request
 * for the life of the session (typescript-sdk#2559: 60,000 sends grew RSS to 770 MB); the server must stay
 * flat: RSS after the last step within 20 % of RSS after the first, else the exit code is 1.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { MCP_PROTOCOL, createBenchAgent, openMcpSession, startBenchServer } from './bench-server.js';

const REPO = join(import.meta.dirname, '..', '..');
const CALLS = Number(process.env.BENCH_CALLS ?? 100_000);
const STEP = Number(process.env.BENCH_STEP ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ALLOWED_GROWTH = 0.2;
let firstFailure: string | undefined;

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round(kb / 1024);
}

async function sendStep(url: string, token: string, sessionId: string, first: number): Promise<{ ok: number; failed: number }> {
  let next = first;
  let toolErrors = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon({
      url: `${url}/mcp`,
      method: 'POST',
      connections: CONNECTIONS,
      amount: STEP,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': MCP_PROTOCOL },
      requests: [{
        setupRequest: (req) => {
          const i = next++;
          return {
            ...req,
            body: JSON.stringify({
              jsonrpc: '2.0', id: i, method: 'tools/call',
              params: { name: 'comms_send_message', arguments: { channel: 'sms', to: `+1555010${String(i % 10000).padStart(4, '0')}`, body: 'Your appointment is confirmed.' } },
            }),
          };
        },
        onResponse: (status, body) => {
          if (status === 200 && !body.includes('"isError":true')) return;
          if (status === 200) toolErrors++;
          if (!firstFailure) firstFailure = `${status} ${body.slice(0, 300)}`;
        },
      }],
    }, (err, r) => (err ? reject(err) : resolve(r)));
  });
  return { ok: result['2xx'] - toolErrors, failed: result.non2xx + result.errors + toolErrors };
}

async function main(): Promise<void> {
  if (!process.env.BENCH_SKIP_BUILD) execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'inherit' });
  const server = await startBenchServer(mkdtempSync(join(tmpdir(), 'agentos-bench-')), REPO, {
    usage: { enabled: false },
    // Shedding would answer 503 on a loaded machine: calls refused early hold nothing, and the growth measured would be theirs.
    security: { loadShedding: { eventLoopDelayMs: 0 }, maxInFlight: 0 },
  });
  const rows: Array<{ calls: number; rss: number; ok: number; failed: number }> = [];
  try {
    const agent = await createBenchAgent(server.url, '+15550100099');
    const sessionId = await openMcpSession(server.url, agent.token);
    for (let done = 0; done < CALLS; done += STEP) {
      const { ok, failed } = await sendStep(server.url, agent.token, sessionId, done + 1);
      rows.push({ calls: done + STEP, rss: rssMb(server.child.pid!), ok, failed });
      console.error(`${done + STEP} calls: RSS ${rows.at(-1)!.rss} MB`);
    }
  } finally {
    await server.stop();
  }
  console.log(`\nOne MCP session, comms_send_message (SMS, demo provider, SQLite, usage off), ${CONNECTIONS} connections\n`);
  console.log('| calls in the session | server RSS (MB) | ok | failed |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.calls} | ${r.rss} | ${r.ok} | ${r.failed} |`);
  const first = rows[0]!.rss;
  const last = rows.at(-1)!.rss;
  const growth = (last - first) / first;
  console.log(`\nRSS after ${rows.at(-1)!.calls} calls: ${last} MB, after ${rows[0]!.calls}: ${first} MB (${(growth * 100).toFixed(1)} %)`);
  const failed = rows.reduce((s, r) => s + r.failed, 0);
  if (growth > ALLOWED_GROWTH || failed > 0) {
    console.log(growth > ALLOWED_GROWTH ? `FAIL: more than ${ALLOWED_GROWTH * 100} % growth` : `FAIL: ${failed} calls failed, the first: ${firstFailure}`);
    process.exitCode = 1;
  }
}

await main();
